package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockserver.model.HttpRequest.request;
import static org.mockserver.model.HttpResponse.response;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockserver.integration.ClientAndServer;
import org.mockserver.model.HttpRequest;

/** The exact requests the registrar sends to the agent, checked with MockServer. */
class RegistrationContractTest {
    private static final String TOKEN = "registrar-token";
    private static ClientAndServer agent;
    private static EmbeddedJetty jetty;

    @BeforeAll
    static void start() throws Exception {
        agent = EmbeddedJetty.mockAgent();
        jetty = new EmbeddedJetty();
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.closeAndAwaitSharedClients();
        agent.stop();
    }

    @BeforeEach
    void answerEverything() {
        agent.reset();
        agent.when(request().withPath("/v1/agent/services")).respond(response().withStatusCode(200).withBody("{}"));
        agent.when(request()).respond(response().withStatusCode(200));
    }

    private Map<String, String> params(String... keyValues) {
        Map<String, String> params = new HashMap<>(Map.of("consul.agent", "127.0.0.1:" + agent.getPort(), "consul.token", TOKEN));
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return params;
    }

    private static List<HttpRequest> sent() {
        return Arrays.stream(agent.retrieveRecordedRequests(request()))
                .filter(r -> !r.getPath().getValue().equals("/v1/agent/services")) // the anti-entropy loop's reads
                .toList();
    }

    private static String line(HttpRequest request) {
        String query = request.getQueryStringParameterList().stream()
                .map(p -> p.getName().getValue() + "=" + p.getValues().get(0).getValue()).sorted().reduce((a, b) -> a + "&" + b)
                .map(q -> "?" + q).orElse("");
        return request.getMethod().getValue() + " " + request.getPath().getValue() + query;
    }

    private static JsonElement json(String text) {
        return JsonParser.parseString(text);
    }

    @Test
    void withoutAnAdapterTheServiceAndItsHttpCheckAreRegisteredInOneRequestStartingCritical() throws Exception {
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp("/billing", params("consul.service.port", "18080",
                "consul.service.id", "billing-1", "consul.service.tags", "v2", "consul.service.meta", "team=pay",
                "consul.check.deregister-after", "90m", "consul.check.interval", "15s")));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() == 1);
        HttpRequest register = sent().get(0);
        assertEquals("PUT /v1/agent/service/register?replace-existing-checks=true", line(register));
        assertEquals(List.of(TOKEN), register.getHeader("X-Consul-Token"));
        assertEquals(json("""
                {"ID":"billing-1","Name":"billing","Tags":["v2"],"Address":"","Port":18080,"Meta":{"team":"pay"},
                 "Check":{"CheckID":"service:billing-1","Name":"billing liveness",
                          "HTTP":"http://127.0.0.1:18080/billing/consul/health","Interval":"15s","Timeout":"5s",
                          "Status":"critical","DeregisterCriticalServiceAfter":"5400s"}}"""), withoutMarker(register, 18080));

        jetty.undeploy(context);
        List<String> lines = sent().stream().map(RegistrationContractTest::line).toList();
        assertEquals(List.of("PUT /v1/agent/service/register?replace-existing-checks=true",
                "PUT /v1/agent/service/maintenance/billing-1?enable=true&reason=draining: /billing is stopping",
                "PUT /v1/agent/service/deregister/billing-1"), lines);
    }

    /**
     * The body of {@code register} without the instance marker, once the marker is checked: this
     * host's name, the container (here the working directory, no catalina.base or jetty.base
     * being set) with the port, and a UUID for this run.
     */
    private static JsonElement withoutMarker(HttpRequest register, int port) throws Exception {
        JsonObject body = json(register.getBodyAsString()).getAsJsonObject();
        JsonObject meta = body.getAsJsonObject("Meta");
        assertEquals(InetAddress.getLocalHost().getHostName(), meta.remove("servlet-registrar-host").getAsString());
        assertEquals(Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize() + ":" + port,
                meta.remove("servlet-registrar-container").getAsString());
        String instance = meta.remove("servlet-registrar-instance").getAsString();
        assertTrue(instance.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), instance);
        if (meta.size() == 0) {
            body.remove("Meta");
        }
        return body;
    }

    @Test
    void theRegistrationOptionsAreSentWithConsulsFieldNames() throws Exception {
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp("/catalog", params("consul.service.port", "18081",
                "consul.service.id", "catalog-1", "consul.service.address", "127.0.0.1",
                "consul.service.weights", "passing=10,warning=2",
                "consul.service.tagged-addresses", "lan=127.0.0.1,wan=[::1]:8443",
                "consul.service.enable-tag-override", "true",
                "consul.check.method", "HEAD", "consul.check.header", "X-Probe=consul,X-Probe=again,Authorization=Bearer t",
                "consul.check.tls-skip-verify", "true", "consul.check.tls-server-name", "catalog.example.com",
                "consul.check.success-before-passing", "2", "consul.check.failures-before-critical", "3",
                "consul.check.notes", "owned by the catalog team", "consul.check.interval", "15s",
                "consul.check.extra.http-path", "/ready", "consul.check.extra.tcp", "true", "consul.check.extra.ttl", "2m",
                "consul.check.deregister-after", "90m")));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() == 1);
        HttpRequest register = sent().get(0);
        assertEquals("PUT /v1/agent/service/register?replace-existing-checks=true", line(register));
        String http = """
                "Method":"HEAD","Header":{"Authorization":["Bearer t"],"X-Probe":["consul","again"]},
                "TLSServerName":"catalog.example.com","TLSSkipVerify":true,"Interval":"15s","Timeout":"5s",
                "Notes":"owned by the catalog team","SuccessBeforePassing":2,"FailuresBeforeCritical":3""";
        String thresholds = "\"Notes\":\"owned by the catalog team\",\"SuccessBeforePassing\":2,\"FailuresBeforeCritical\":3";
        assertEquals(json("""
                {"ID":"catalog-1","Name":"catalog","Address":"127.0.0.1","Port":18081,
                 "TaggedAddresses":{"lan":{"Address":"127.0.0.1","Port":18081},"wan":{"Address":"::1","Port":8443}},
                 "Weights":{"Passing":10,"Warning":2},"EnableTagOverride":true,
                 "Checks":[
                  {"CheckID":"service:catalog-1","Name":"catalog liveness","HTTP":"http://127.0.0.1:18081/catalog/consul/health",
                   %1$s,"Status":"critical","DeregisterCriticalServiceAfter":"5400s"},
                  {"CheckID":"service:catalog-1:http","Name":"catalog /ready","HTTP":"http://127.0.0.1:18081/catalog/ready",%1$s},
                  {"CheckID":"service:catalog-1:tcp","Name":"catalog tcp","TCP":"127.0.0.1:18081","Interval":"15s","Timeout":"5s",%2$s},
                  {"CheckID":"service:catalog-1:ttl","Name":"catalog ttl","TTL":"120s",%2$s}]}"""
                .formatted(http, thresholds)), withoutMarker(register, 18081));
        jetty.undeploy(context);
    }

    @Test
    void theDefaultRegistrationCarriesTheInstanceMarkerStartsCriticalAndIsReapedTenMinutesAfterACrash() throws Exception {
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp("/shop", params(TestContainerAdapter.FOLLOW, "true")));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() >= 1);
        HttpRequest register = sent().get(0);
        System.out.println("default registration request: " + line(register) + " " + json(register.getBodyAsString()));
        assertEquals("PUT /v1/agent/service/register?replace-existing-checks=true", line(register));
        String id = "shop-" + InetAddress.getLocalHost().getHostName() + "-" + jetty.port();
        assertEquals(json("""
                {"ID":"%s","Name":"shop","Address":"127.0.0.1","Port":%d,
                 "Check":{"CheckID":"service:%s","Name":"shop liveness",
                          "HTTP":"http://127.0.0.1:%d/shop/consul/health","Interval":"10s","Timeout":"5s",
                          "Status":"critical","DeregisterCriticalServiceAfter":"600s"}}"""
                .formatted(id, jetty.port(), id, jetty.port())), withoutMarker(register, jetty.port()));
        jetty.undeploy(context);
    }

    @Test
    void aNamespaceAndPartitionGoAsNsAndPartitionOnEveryAgentCallOfTheRegistration() throws Exception {
        agent.reset(); // the agent knows the instance in its namespace only: a read outside it would re-register
        agent.when(request().withPath("/v1/agent/services").withQueryStringParameter("ns", "team-a")
                .withQueryStringParameter("partition", "finance")).respond(response().withStatusCode(200).withBody("""
                {"ledger-1":{"ID":"ledger-1","Service":"ledger","Tags":[],"Meta":{},"Address":"","Port":18082}}"""));
        agent.when(request().withPath("/v1/agent/services")).respond(response().withStatusCode(200).withBody("{}"));
        agent.when(request()).respond(response().withStatusCode(200));
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp("/ledger", params("consul.service.port", "18082",
                "consul.service.id", "ledger-1", "consul.namespace", "team-a", "consul.partition", "finance")));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() == 1);
        await("the anti-entropy loop reads the agent's services in the namespace").atMost(Duration.ofSeconds(20))
                .until(() -> Arrays.stream(agent.retrieveRecordedRequests(request().withPath("/v1/agent/services")))
                        .anyMatch(r -> line(r).equals("GET /v1/agent/services?ns=team-a&partition=finance")));
        jetty.undeploy(context);
        assertEquals(List.of("PUT /v1/agent/service/register?ns=team-a&partition=finance&replace-existing-checks=true",
                "PUT /v1/agent/service/maintenance/ledger-1?enable=true&ns=team-a&partition=finance&reason=draining: /ledger is stopping",
                "PUT /v1/agent/service/deregister/ledger-1?ns=team-a&partition=finance"),
                sent().stream().map(RegistrationContractTest::line).toList());
    }

    @Test
    void onATlsConnectorTheHttpChecksProbeHttps() throws Exception {
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp("/secure", params(TestContainerAdapter.FOLLOW, "true",
                TestContainerAdapter.TLS, "true", "consul.service.id", "secure-1", "consul.check.extra.http-path", "/ready",
                "consul.check.tls-skip-verify", "true")));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() == 1);
        JsonElement body = json(sent().get(0).getBodyAsString());
        String port = String.valueOf(jetty.port());
        assertEquals("https://127.0.0.1:" + port + "/secure/consul/health",
                body.getAsJsonObject().getAsJsonArray("Checks").get(0).getAsJsonObject().get("HTTP").getAsString());
        assertEquals("https://127.0.0.1:" + port + "/secure/ready",
                body.getAsJsonObject().getAsJsonArray("Checks").get(1).getAsJsonObject().get("HTTP").getAsString());
        jetty.undeploy(context);
    }

    @Test
    void withAnAdapterTheCheckStartsCriticalAndTtlReportsFollow() throws Exception {
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp("/orders", params(TestContainerAdapter.FOLLOW, "true",
                "consul.service.id", "orders-1", "consul.check.mode", "ttl", "consul.check.ttl", "30s",
                "consul.check.deregister-after", "off")));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() == 2);
        assertEquals(json("""
                {"ID":"orders-1","Name":"orders","Address":"127.0.0.1","Port":%d,
                 "Check":{"CheckID":"service:orders-1","Name":"orders liveness","TTL":"30s","Status":"critical"}}"""
                .formatted(jetty.port())), withoutMarker(sent().get(0), jetty.port()));
        HttpRequest report = sent().get(1);
        assertEquals("PUT /v1/agent/check/update/service%3Aorders-1", line(report), "the check ID is one path segment, its colon escaped");
        assertEquals(json("{\"Status\":\"passing\",\"Output\":\"UP\"}"), json(report.getBodyAsString()));
        jetty.undeploy(context);
    }

    @Test
    void aRefusedRegistrationCarriesConsulsStatusAndMessageAndIsRetried() throws Exception {
        agent.reset();
        agent.when(request().withPath("/v1/agent/service/register"), org.mockserver.matchers.Times.exactly(2))
                .respond(response().withStatusCode(403).withBody("ACL not found"));
        agent.when(request()).respond(response().withStatusCode(200).withBody("{}"));
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp("/guarded", params(TestContainerAdapter.FOLLOW, "true",
                "consul.service.id", "guarded-1")));
        io.github.consulservlet.Registration registration = io.github.consulservlet.ConsulContext.of(context.getServletContext()).registration();
        await().atMost(Duration.ofSeconds(10)).until(() -> registration.state() == io.github.consulservlet.Registration.State.REGISTERED);
        assertEquals(3, sent().stream().filter(r -> r.getPath().getValue().equals("/v1/agent/service/register")).count());
        jetty.undeploy(context);
    }
}
