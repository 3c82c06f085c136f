package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulRequestException;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/**
 * The registration options consul-servlet sends ({@code consul.service.weights},
 * {@code consul.service.tagged-addresses}, {@code consul.check.*}, {@code consul.namespace}...)
 * as the agent keeps them: registered, then read back from {@code /v1/agent/service/<id>} and
 * {@code /v1/agent/checks}, and, for what those do not show (method, headers, thresholds), seen
 * in how the agent probes a server of the test's.
 */
class RegistrationOptionsOnBothAgentsTest extends OnBothAgents {
    private static final Duration PROBES = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final List<String> probes = new CopyOnWriteArrayList<>();
    private volatile int answer = 200;
    private HttpServer server;

    @BeforeEach
    void startProbedServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            int code = answer;
            probes.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " X-Probe="
                    + exchange.getRequestHeaders().get("X-Probe") + " " + code);
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopProbedServer() {
        server.stop(0);
    }

    private int port() {
        return server.getAddress().getPort();
    }

    private JsonObject read(String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + agent.address() + path));
        agent.token().ifPresent(token -> request.header("X-Consul-Token", token));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    /** How many of the last probes were answered {@code code}, in a row. */
    private long lastInARow(int code) {
        List<String> seen = List.copyOf(probes);
        int n = 0;
        for (int i = seen.size() - 1; i >= 0 && seen.get(i).endsWith(" " + code); i--) {
            n++;
        }
        return n;
    }

    private JsonObject check(String id) throws Exception {
        return read("/v1/agent/checks").getAsJsonObject(id);
    }

    @Test
    void weightsTaggedAddressesAndTagOverrideAreKept() throws Exception {
        String name = uniqueService("weighted");
        register(ServiceRegistration.builder(name).id(name).address("127.0.0.1").port(port())
                .weights(10, 2).taggedAddress("lan", "127.0.0.1", port()).taggedAddress("wan", "::1", 8443)
                .enableTagOverride(true).build());
        JsonObject service = read("/v1/agent/service/" + name);
        assertEquals(JsonParser.parseString("{\"Passing\":10,\"Warning\":2}"), service.get("Weights"));
        assertEquals(true, service.get("EnableTagOverride").getAsBoolean());
        JsonObject tagged = service.getAsJsonObject("TaggedAddresses");
        assertEquals(JsonParser.parseString("{\"Address\":\"127.0.0.1\",\"Port\":" + port() + "}"), tagged.get("lan"));
        assertEquals(JsonParser.parseString("{\"Address\":\"::1\",\"Port\":8443}"), tagged.get("wan"));
        assertEquals(tagged.get("lan"), tagged.get("lan_ipv4"), "the agent adds the IPv4 forms of an IP address");
    }

    @Test
    void anHttpCheckIsProbedWithItsMethodAndHeadersAndTurnsPassingOnlyAfterSuccessBeforePassing() throws Exception {
        String name = uniqueService("probed");
        String id = "service:" + name;
        answer = 503;
        register(ServiceRegistration.builder(name).id(name).port(port())
                .check(CheckDefinition.http("http://127.0.0.1:" + port() + "/ready", Duration.ofSeconds(1))
                        .timeout(Duration.ofSeconds(2)).method("HEAD").header(Map.of("X-Probe", List.of("consul", "again")))
                        .successBeforePassing(2).notes("owned by the catalog team").id(id).name(name + " liveness")
                        .status(CheckStatus.CRITICAL).build())
                .build());
        JsonObject registered = check(id);
        assertEquals("http", registered.get("Type").getAsString());
        assertEquals("owned by the catalog team", registered.get("Notes").getAsString());
        assertEquals("1s", registered.get("Interval").getAsString());
        assertEquals("2s", registered.get("Timeout").getAsString());
        await().atMost(PROBES).until(() -> !probes.isEmpty());
        assertEquals("HEAD /ready X-Probe=[consul, again] 503", probes.get(0));
        answer = 200;
        await().atMost(PROBES).until(() -> "passing".equals(check(id).get("Status").getAsString()));
        assertTrue(lastInARow(200) >= 2, "passing after " + probes + ": SuccessBeforePassing is 2");
    }

    @Test
    void aPassingCheckTurnsCriticalOnlyAfterFailuresBeforeCritical() throws Exception {
        String name = uniqueService("failing");
        String id = "service:" + name;
        register(ServiceRegistration.builder(name).id(name).port(port())
                .check(CheckDefinition.http("http://127.0.0.1:" + port() + "/live", Duration.ofSeconds(1))
                        .failuresBeforeCritical(3).id(id).status(CheckStatus.CRITICAL).build())
                .build());
        await().atMost(PROBES).until(() -> "passing".equals(check(id).get("Status").getAsString()));
        answer = 500;
        await().atMost(PROBES).until(() -> "critical".equals(check(id).get("Status").getAsString()));
        assertTrue(lastInARow(500) >= 3, "critical after " + probes + ": FailuresBeforeCritical is 3");
    }

    @Test
    void extraTcpAndTtlChecksAreRegisteredWithTheService() throws Exception {
        String name = uniqueService("extra");
        register(ServiceRegistration.builder(name).id(name).port(port())
                .check(CheckDefinition.tcp("127.0.0.1:" + port(), Duration.ofSeconds(1)).timeout(Duration.ofSeconds(2))
                        .id("service:" + name + ":tcp").name(name + " tcp").notes("the connector").build())
                .check(CheckDefinition.ttl(Duration.ofMinutes(2)).id("service:" + name + ":ttl").name(name + " ttl").build())
                .build());
        JsonObject ttl = check("service:" + name + ":ttl");
        assertEquals("ttl", ttl.get("Type").getAsString());
        assertEquals(name, ttl.get("ServiceID").getAsString());
        assertEquals("critical", ttl.get("Status").getAsString(), "critical until something reports to it");
        assertEquals("tcp", check("service:" + name + ":tcp").get("Type").getAsString());
        assertEquals("the connector", check("service:" + name + ":tcp").get("Notes").getAsString());
        await().atMost(PROBES).until(() -> "passing".equals(check("service:" + name + ":tcp").get("Status").getAsString()));
        assertEquals("TCP connect 127.0.0.1:" + port() + ": Success", check("service:" + name + ":tcp").get("Output").getAsString());
        consul.agent().passCheck("service:" + name + ":ttl", "reported by a batch job");
        assertEquals("passing", check("service:" + name + ":ttl").get("Status").getAsString());
    }

    @Test
    void anOpenSourceAgentRefusesANamespaceOrAPartitionNamingTheEnterpriseFeature() {
        ServiceRegistration registration = ServiceRegistration.builder(uniqueService("tenant")).port(port()).build();
        ConsulRequestException ns = assertThrows(ConsulRequestException.class,
                () -> consul.agent().in("team-a", null).register(registration));
        assertEquals(400, ns.status());
        assertTrue(ns.getMessage().contains("Invalid query parameter: \"ns\" - Namespaces are a Consul Enterprise feature"),
                ns.getMessage());
        ConsulRequestException partition = assertThrows(ConsulRequestException.class,
                () -> consul.agent().in(null, "finance").register(registration));
        assertEquals(400, partition.status());
        assertTrue(partition.getMessage().contains(
                "Invalid query parameter: \"partition\" - Partitions are a Consul Enterprise feature"), partition.getMessage());
        assertThrows(ConsulRequestException.class, () -> consul.agent().in("default", null).services(),
                "even the default namespace, named");
        assertTrue(consul.agent().service(registration.id()).isEmpty(), "nothing was registered");
    }
}
