package io.github.consulservlet.internal.client.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the {@link SSLContext} of {@link TlsSettings} from PEM files, as Consul's tools write
 * them: certificates, and private keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}, what {@code consul tls cert create}
 * writes) form.
 */
public final class Tls {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];

    private Tls() {
    }

    public static SSLContext context(TlsSettings settings) {
        try {
            TrustManager[] trust = null;
            if (!settings.verify()) {
                trust = new TrustManager[] {new TrustEverything()};
            } else if (settings.caFile().isPresent()) {
                KeyStore store = emptyStore();
                int n = 0;
                for (Certificate certificate : certificates(settings.caFile().get(), "consul.tls.ca-file")) {
                    store.setCertificateEntry("ca-" + n++, certificate);
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                trust = factory.getTrustManagers();
            }
            javax.net.ssl.KeyManager[] keys = null;
            if (settings.clientCertificate().isPresent()) {
                Path certFile = settings.clientCertificate().get();
                Path keyFile = settings.clientKey().orElseThrow();
                Collection<? extends Certificate> chain = certificates(certFile, "consul.tls.client-cert");
                KeyStore store = emptyStore();
                store.setKeyEntry("client", privateKey(keyFile), NO_PASSWORD, chain.toArray(new Certificate[0]));
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, NO_PASSWORD);
                keys = factory.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS to the Consul agent: " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static Collection<? extends Certificate> certificates(Path file, String setting)
            throws GeneralSecurityException, IOException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IOException(setting + " '" + file + "' cannot be read: " + e, e);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(setting + " '" + file + "' holds no PEM certificate");
        }
        return certificates;
    }

    static PrivateKey privateKey(Path file) throws GeneralSecurityException, IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("consul.tls.client-key '" + file + "' cannot be read: " + e, e);
        }
        Matcher pem = PEM.matcher(text);
        while (pem.find()) {
            String kind = pem.group(1);
            if (kind.equals("ENCRYPTED PRIVATE KEY")) {
                throw new GeneralSecurityException("consul.tls.client-key '" + file
                        + "' is encrypted; give an unencrypted PEM key (openssl pkcs8 -topk8 -nocrypt)");
            }
            if (!kind.equals("PRIVATE KEY") && !kind.equals("RSA PRIVATE KEY") && !kind.equals("EC PRIVATE KEY")) {
                continue; // another block, such as EC PARAMETERS before an EC key
            }
            try {
                return decode(kind, Base64.getMimeDecoder().decode(pem.group(2)));
            } catch (GeneralSecurityException | RuntimeException e) {
                // whatever the JDK's parsers throw for bytes that are not a key, one message naming the file
                String algorithm = kind.startsWith("RSA") ? "RSA" : kind.startsWith("EC") ? "EC" : "EC/RSA/Ed25519";
                throw new GeneralSecurityException("consul.tls.client-key '" + file + "': not a valid " + algorithm
                        + " key (" + kind + "): " + e.getMessage(), e);
            }
        }
        throw new GeneralSecurityException("consul.tls.client-key '" + file
                + "' holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** The key in a PEM block's bytes; {@link Der} bounds every length, so this always ends. */
    static PrivateKey decode(String kind, byte[] der) throws GeneralSecurityException {
        return switch (kind) {
            case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Der.wrapRsa(der)));
            case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Der.wrapEc(der)));
            default -> pkcs8(der);
        };
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        List<GeneralSecurityException> failures = new ArrayList<>();
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                failures.add(e);
            }
        }
        throw new GeneralSecurityException("unsupported PKCS#8 private key: " + failures.get(0).getMessage());
    }

    /** Accepts every certificate: {@code consul.tls.verify=false}, as Consul's CLI allows. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
