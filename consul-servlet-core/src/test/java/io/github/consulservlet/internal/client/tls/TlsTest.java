package io.github.consulservlet.internal.client.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.FakeAgent;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;
import io.github.consulservlet.internal.client.transport.Transport;

/** TLS to an agent that presents a certificate signed by a test CA and demands a client certificate. */
public class TlsTest {
    private HttpsServer server;
    private ConsulClient client;

    public static Path fixture(String name) {
        try {
            return Path.of(TlsTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void startAgent() throws Exception {
        server = httpsAgent();
    }

    /** An HTTPS agent on 127.0.0.1 that serves key {@code k} and demands a client certificate. */
    public static HttpsServer httpsAgent() throws Exception {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("agent", Tls.privateKey(fixture("agent-key.pem")), new char[0],
                new Certificate[] {certificate("agent.pem")});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, new char[0]);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", certificate("ca.pem"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setNeedClientAuth(true);
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/v1/kv/k", exchange -> {
            byte[] body = FakeAgent.kvBody("k", "over tls", 1).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.stop(0);
    }

    private String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private static Certificate certificate(String name) throws Exception {
        try (InputStream in = TlsTest.class.getResourceAsStream("/tls/" + name)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void verifiesTheAgentAgainstTheCaAndPresentsTheClientCertificate() {
        client = ConsulClient.builder().agents(url()).tls(TlsSettings.builder().caFile(fixture("ca.pem"))
                .clientCertificate(fixture("client.pem"), fixture("client-key.pem")).build()).build();

        assertEquals("over tls", client.kv().getString("k").orElseThrow());
    }

    @Test
    void refusesAnAgentSignedByAnotherCa() {
        client = ConsulClient.builder().agents(url()).tls(TlsSettings.builder().caFile(fixture("other-ca.pem"))
                .clientCertificate(fixture("client.pem"), fixture("client-key.pem")).build()).build();

        assertThrows(ConsulUnreachableException.class, () -> client.kv().get("k"));
    }

    @Test
    void watchesQueryOverTheSameTlsAsCalls() throws Exception {
        client = ConsulClient.builder().agents(url()).tls(TlsSettings.builder().caFile(fixture("ca.pem"))
                .clientCertificate(fixture("client.pem"), fixture("client-key.pem")).build()).build();
        Transport transport = client.runtimeForTests().transport;

        Response answer = transport.send(Request.get("/v1/kv", "k")).get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertEquals(200, answer.status);
        assertEquals(FakeAgent.kvBody("k", "over tls", 1), answer.text());
    }

    @Test
    void watchesRefuseAnAgentSignedByAnotherCaToo() {
        client = ConsulClient.builder().agents(url()).tls(TlsSettings.builder().caFile(fixture("other-ca.pem"))
                .clientCertificate(fixture("client.pem"), fixture("client-key.pem")).build()).build();
        Transport transport = client.runtimeForTests().transport;

        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> transport.send(Request.get("/v1/kv", "k")).get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof ConsulUnreachableException, e.getCause().toString());
    }

    @Test
    void verificationOffAcceptsAnyAgent() {
        client = ConsulClient.builder().agents(url()).tls(TlsSettings.builder().verify(false)
                .clientCertificate(fixture("client.pem"), fixture("client-key.pem")).build()).build();

        assertEquals("over tls", client.kv().getString("k").orElseThrow());
    }

    @Test
    void anAgentThatDemandsAClientCertificateRefusesAClientWithout() {
        client = ConsulClient.builder().agents(url()).tls(TlsSettings.builder().caFile(fixture("ca.pem")).build())
                .build();

        assertThrows(ConsulUnreachableException.class, () -> client.kv().get("k"));
    }

    @Test
    void readsPkcs1Pkcs8AndSec1Keys() throws Exception {
        PrivateKey pkcs1 = Tls.privateKey(fixture("rsa-pkcs1-key.pem"));
        PrivateKey pkcs8 = Tls.privateKey(fixture("rsa-pkcs8-key.pem"));
        assertTrue(pkcs1 instanceof RSAPrivateKey);
        assertEquals(((RSAPrivateKey) pkcs8).getPrivateExponent(), ((RSAPrivateKey) pkcs1).getPrivateExponent());
        assertTrue(Tls.privateKey(fixture("client-key.pem")) instanceof ECPrivateKey);
    }

    @Test
    void aMissingFileNamesTheSettingAndThePath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsSettings.builder().caFile(Path.of("/nonexistent/ca.pem")));
        assertEquals("consul.tls.ca-file '/nonexistent/ca.pem' is not a readable file; expected the path of a PEM file",
                e.getMessage());
    }

    @Test
    void aFileThatIsNotAKeyIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsulClient.builder().agents(url()).tls(TlsSettings.builder()
                        .clientCertificate(fixture("client.pem"), fixture("ca.pem")).build()).build());
        assertTrue(e.getMessage().contains("holds no PEM private key"), e.getMessage());
    }
}
