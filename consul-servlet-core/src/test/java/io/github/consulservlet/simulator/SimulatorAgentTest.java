package io.github.consulservlet.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Agent services and checks, catalog and health, from the examples of
 * https://developer.hashicorp.com/consul/api-docs/agent/service,
 * https://developer.hashicorp.com/consul/api-docs/agent/check and
 * https://developer.hashicorp.com/consul/api-docs/health.
 */
class SimulatorAgentTest {
    private final List<AutoCloseable> closing = new ArrayList<>();
    private ConsulSimulator consul = ConsulSimulator.start();
    private Raw raw = new Raw(consul);

    @AfterEach
    void close() throws Exception {
        consul.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private static String ttlService(String id, String name, String ttl, String status) {
        return "{\"ID\":\"" + id + "\",\"Name\":\"" + name + "\",\"Tags\":[\"primary\",\"v1\"],\"Port\":8000,"
                + "\"Meta\":{\"version\":\"1\"},\"Check\":{\"TTL\":\"" + ttl + "\""
                + (status == null ? "" : ",\"Status\":\"" + status + "\"") + "}}";
    }

    private JsonObject agentCheck(String id) {
        return raw.get("/v1/agent/checks").object().getAsJsonObject(id);
    }

    @Test
    void aRegisteredServiceAppearsOnTheAgentInTheCatalogAndInHealth() {
        assertEquals(200, raw.put("/v1/agent/service/register", ttlService("web1", "web", "30s", null)).status());

        JsonObject service = raw.get("/v1/agent/services").object().getAsJsonObject("web1");
        assertEquals("web", service.get("Service").getAsString());
        assertEquals(8000, service.get("Port").getAsInt());
        assertEquals("[\"primary\",\"v1\"]", service.get("Tags").toString());
        assertEquals("1", service.getAsJsonObject("Meta").get("version").getAsString());

        JsonObject check = agentCheck("service:web1");
        assertEquals("Service 'web' check", check.get("Name").getAsString());
        assertEquals("critical", check.get("Status").getAsString(), "checks start critical unless told otherwise");
        assertEquals("ttl", check.get("Type").getAsString());
        assertEquals("web1", check.get("ServiceID").getAsString());

        JsonObject catalog = raw.get("/v1/catalog/services").object();
        assertEquals("[\"primary\",\"v1\"]", catalog.get("web").toString());
        assertTrue(catalog.has("consul"), "a server's catalog lists the consul service");
        assertEquals("web1", raw.get("/v1/catalog/service/web").first().get("ServiceID").getAsString());

        JsonObject entry = raw.get("/v1/health/service/web").first();
        assertEquals("consul-sim", entry.getAsJsonObject("Node").get("Node").getAsString());
        assertEquals("web1", entry.getAsJsonObject("Service").get("ID").getAsString());
        List<String> checkIds = new ArrayList<>();
        entry.getAsJsonArray("Checks").forEach(c -> checkIds.add(c.getAsJsonObject().get("CheckID").getAsString()));
        assertEquals(List.of("serfHealth", "service:web1"), checkIds, "node checks come with the service's");
        assertFalse(raw.get("/v1/agent/service/web1").object().get("ContentHash").getAsString().isEmpty());
    }

    @Test
    void registeringTheSameServiceAgainMovesNoIndex() {
        String body = ttlService("same", "same", "30s", "passing");
        raw.put("/v1/agent/service/register", body);
        long health = raw.get("/v1/health/service/same").index();
        long catalog = raw.get("/v1/catalog/services").index();
        String hash = raw.get("/v1/agent/service/same").object().get("ContentHash").getAsString();
        raw.put("/v1/agent/service/register", body);
        assertEquals(health, raw.get("/v1/health/service/same").index());
        assertEquals(catalog, raw.get("/v1/catalog/services").index());
        assertEquals(hash, raw.get("/v1/agent/service/same").object().get("ContentHash").getAsString());
        raw.put("/v1/agent/service/register", body.replace("8000", "8001"));
        assertTrue(raw.get("/v1/health/service/same").index() > health, "a changed registration is a write");
    }

    @Test
    void anHttpCheckTimesOutAfterItsIntervalWhenThatIsShorterThanTenSeconds() {
        raw.put("/v1/agent/service/register",
                "{\"Name\":\"quick\",\"Check\":{\"HTTP\":\"http://127.0.0.1:9/\",\"Interval\":\"2s\"}}");
        assertEquals("2s", agentCheck("service:quick").get("Timeout").getAsString());
    }

    @Test
    void checkIdsAreNumberedOnlyWhenAServiceHasSeveral() {
        raw.put("/v1/agent/service/register", "{\"Name\":\"one\",\"Checks\":[{\"TTL\":\"30s\"}]}");
        raw.put("/v1/agent/service/register",
                "{\"Name\":\"two\",\"Check\":{\"TTL\":\"30s\"},\"Checks\":[{\"TTL\":\"30s\",\"CheckID\":\"mine\"},{\"TTL\":\"30s\"}]}");
        JsonObject checks = raw.get("/v1/agent/checks").object();
        assertTrue(checks.has("service:one"));
        assertTrue(checks.has("service:two:1"));
        assertTrue(checks.has("mine"));
        assertTrue(checks.has("service:two:3"));
        assertFalse(checks.has("serfHealth"), "the node check is the servers', not the agent's");
    }

    @Test
    void registeringAgainKeepsCheckStatusAndReplaceExistingChecksDropsTheRest() {
        raw.put("/v1/agent/service/register",
                "{\"Name\":\"api\",\"Checks\":[{\"TTL\":\"30s\",\"CheckID\":\"a\"},{\"TTL\":\"30s\",\"CheckID\":\"b\"}]}");
        raw.put("/v1/agent/check/pass/a?note=fine", null);
        raw.put("/v1/agent/service/register", "{\"Name\":\"api\",\"Checks\":[{\"TTL\":\"30s\",\"CheckID\":\"a\"}]}");
        assertEquals("passing", agentCheck("a").get("Status").getAsString());
        assertTrue(raw.get("/v1/agent/checks").object().has("b"), "without replace-existing-checks, b stays");
        raw.put("/v1/agent/service/register?replace-existing-checks",
                "{\"Name\":\"api\",\"Checks\":[{\"TTL\":\"30s\",\"CheckID\":\"a\"}]}");
        assertFalse(raw.get("/v1/agent/checks").object().has("b"));
    }

    @Test
    void invalidRegistrationsAreRefusedWithConsulsMessages() {
        assertRefused(400, "Missing service name", "{\"Port\":1}");
        assertRefused(400, "Status for checks must 'passing', 'warning', 'critical'",
                "{\"Name\":\"x\",\"Check\":{\"TTL\":\"1s\",\"Status\":\"fine\"}}");
        assertRefused(400, "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or gRPC checks",
                "{\"Name\":\"x\",\"Check\":{\"HTTP\":\"http://127.0.0.1:1/\"}}");
        assertRefused(400, "Invalid check: TTL must be > 0 for TTL checks", "{\"Name\":\"x\",\"Check\":{\"Notes\":\"n\"}}");
        assertRefused(400, "Invalid check: the simulator runs HTTP, TCP and TTL checks only, not UDP",
                "{\"Name\":\"x\",\"Check\":{\"UDP\":\"127.0.0.1:1\",\"Interval\":\"1s\"}}");
        assertRefused(400, "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or gRPC checks",
                "{\"Name\":\"x\",\"Check\":{\"TCP\":\"127.0.0.1:1\"}}");
        assertRefused(400, "Request decode failed: time: invalid duration \"soon\"",
                "{\"Name\":\"x\",\"Check\":{\"TTL\":\"soon\"}}");
        assertTrue(consul.serviceIds().isEmpty());
    }

    private void assertRefused(int status, String message, String body) {
        Raw.Reply reply = raw.put("/v1/agent/service/register", body);
        assertEquals(status, reply.status(), body);
        assertEquals(message, reply.body());
    }

    @Test
    void ttlChecksTakeUpdatesAndTurnCriticalWhenTheirTtlPasses() {
        raw.put("/v1/agent/service/register", ttlService("t1", "ttl", "3s", "passing"));
        assertEquals("passing", agentCheck("service:t1").get("Status").getAsString());
        raw.put("/v1/agent/check/warn/service:t1?note=slow", null);
        assertEquals("warning", agentCheck("service:t1").get("Status").getAsString());
        assertEquals("slow", agentCheck("service:t1").get("Output").getAsString());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> agentCheck("service:t1").get("Status").getAsString().equals("critical"));
        assertEquals("TTL expired (last output before timeout follows): slow",
                agentCheck("service:t1").get("Output").getAsString());

        Raw.Reply update = raw.put("/v1/agent/check/update/service:t1", "{\"Status\":\"passing\",\"Output\":\"ok\"}");
        assertEquals(200, update.status());
        assertEquals("passing", agentCheck("service:t1").get("Status").getAsString());
        assertEquals("Invalid check status: 'fine'",
                raw.put("/v1/agent/check/update/service:t1", "{\"Status\":\"fine\"}").body());
    }

    @Test
    void updatesToUnknownOrNonTtlChecksFailAsConsulsDo() {
        Raw.Reply unknown = raw.put("/v1/agent/check/pass/nope", null);
        assertEquals(404, unknown.status());
        assertEquals("Unknown check ID \"nope\". Ensure that the check ID is passed, not the check name.", unknown.body());
        try (LivenessEndpoint endpoint = new LivenessEndpoint()) {
            raw.put("/v1/agent/service/register",
                    "{\"Name\":\"h\",\"Check\":{\"HTTP\":\"" + endpoint.url() + "\",\"Interval\":\"10s\"}}");
            Raw.Reply notTtl = raw.put("/v1/agent/check/pass/service:h", null);
            assertEquals(500, notTtl.status());
            assertEquals("CheckID \"service:h\" does not have associated TTL", notTtl.body());
        }
    }

    @Test
    void httpChecksAreProbedAndFollowTheAnswer() {
        LivenessEndpoint endpoint = new LivenessEndpoint();
        closing.add(endpoint);
        raw.put("/v1/agent/service/register",
                "{\"Name\":\"app\",\"Port\":1,\"Check\":{\"HTTP\":\"" + endpoint.url() + "\",\"Interval\":\"1s\",\"Timeout\":\"1s\"}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "passing".equals(consul.checkStatus("service:app").orElse("")));
        assertEquals("HTTP GET " + endpoint.url() + ": 200 OK Output: up", agentCheck("service:app").get("Output").getAsString());
        assertEquals("1s", agentCheck("service:app").get("Interval").getAsString());

        endpoint.answer(429, "busy");
        await().atMost(Duration.ofSeconds(5)).until(() -> "warning".equals(consul.checkStatus("service:app").orElse("")));
        endpoint.answer(503, "draining");
        await().atMost(Duration.ofSeconds(5)).until(() -> "critical".equals(consul.checkStatus("service:app").orElse("")));
        assertEquals("HTTP GET " + endpoint.url() + ": 503 Service Unavailable Output: draining",
                agentCheck("service:app").get("Output").getAsString());
        endpoint.close();
        endpoint.answer(200, "up");
        await().atMost(Duration.ofSeconds(5)).until(() -> agentCheck("service:app").get("Output").getAsString()
                .startsWith("HTTP GET " + endpoint.url() + ": java.net.ConnectException"));
        assertFalse(consul.journal(JournalEvent.Kind.CHECK_PROBED).isEmpty());
    }

    @Test
    void registeringTheSameServiceWhileAProbeIsOutKeepsOneProbeLoop() {
        LivenessEndpoint endpoint = new LivenessEndpoint();
        closing.add(endpoint);
        endpoint.hold();
        String body = "{\"Name\":\"loop\",\"Check\":{\"HTTP\":\"" + endpoint.url() + "\",\"Interval\":\"1s\"}}";
        raw.put("/v1/agent/service/register", body);
        await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.probes() == 1);
        for (int i = 0; i < 10; i++) {
            raw.put("/v1/agent/service/register", body);
        }
        endpoint.release();
        int before = endpoint.probes();
        // one loop probes about once a second: 3 or 4 times in 3 seconds, never a dozen
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> endpoint.probes() - before <= 5);
    }

    @Test
    void healthPassingKeepsOnlyInstancesWhoseEveryCheckPasses() {
        raw.put("/v1/agent/service/register", ttlService("good", "pool", "30s", "passing"));
        raw.put("/v1/agent/service/register", ttlService("meh", "pool", "30s", "warning"));
        raw.put("/v1/agent/service/register", ttlService("bad", "pool", "30s", "critical"));
        raw.put("/v1/agent/service/register",
                "{\"ID\":\"other\",\"Name\":\"pool\",\"Tags\":[\"canary\"],\"Check\":{\"TTL\":\"30s\",\"Status\":\"passing\"}}");
        assertEquals(4, raw.get("/v1/health/service/pool").array().size());
        assertEquals(4, raw.get("/v1/health/service/pool?passing=false").array().size());
        assertEquals(List.of("good", "other"), ids(raw.get("/v1/health/service/pool?passing").array()));
        assertEquals(List.of("other"), ids(raw.get("/v1/health/service/pool?passing&tag=canary").array()));
        assertEquals(List.of("good", "meh", "bad"), ids(raw.get("/v1/health/service/pool?tag=primary").array()));
        assertEquals(List.of("other"), ids(raw.get("/v1/health/service/pool?tag=CANARY").array()), "tags ignore case");
        assertEquals("Invalid value for ?passing", raw.get("/v1/health/service/pool?passing=maybe").body());
        assertEquals("[]", raw.get("/v1/health/service/nothing").body());
    }

    private static List<String> ids(JsonArray entries) {
        List<String> ids = new ArrayList<>();
        for (JsonElement e : entries) {
            ids.add(e.getAsJsonObject().getAsJsonObject("Service").get("ID").getAsString());
        }
        return ids;
    }

    @Test
    void maintenanceAddsACriticalCheckThatHidesTheInstance() {
        raw.put("/v1/agent/service/register", ttlService("m1", "maint", "30s", "passing"));
        assertEquals(200, raw.put("/v1/agent/service/maintenance/m1?enable=true&reason=deploying", null).status());
        JsonObject check = agentCheck("_service_maintenance:m1");
        assertEquals("critical", check.get("Status").getAsString());
        assertEquals("deploying", check.get("Notes").getAsString());
        assertEquals("Service Maintenance Mode", check.get("Name").getAsString());
        assertEquals("[]", raw.get("/v1/health/service/maint?passing").body());
        raw.put("/v1/agent/service/maintenance/m1?enable=false", null);
        assertEquals(1, raw.get("/v1/health/service/maint?passing").array().size());

        raw.put("/v1/agent/service/maintenance/m1?enable=true", null);
        assertEquals("Maintenance mode is enabled for this service, but no reason was provided. This is a default message.",
                agentCheck("_service_maintenance:m1").get("Notes").getAsString());
        assertEquals("Missing value for enable", raw.put("/v1/agent/service/maintenance/m1", null).body());
        assertEquals("Invalid value for enable: \"yes\"", raw.put("/v1/agent/service/maintenance/m1?enable=yes", null).body());
        Raw.Reply unknown = raw.put("/v1/agent/service/maintenance/zz?enable=true", null);
        assertEquals(404, unknown.status());
        assertEquals("Unknown service ID \"zz\". Ensure that the service ID is passed, not the service name.", unknown.body());
    }

    @Test
    void deregisteringRemovesTheServiceAndItsChecks() {
        raw.put("/v1/agent/service/register", ttlService("d1", "gone", "30s", null));
        assertEquals(200, raw.put("/v1/agent/service/deregister/d1", null).status());
        assertEquals("{}", raw.get("/v1/agent/services").body());
        assertEquals("{}", raw.get("/v1/agent/checks").body());
        assertFalse(raw.get("/v1/catalog/services").object().has("gone"));
        Raw.Reply again = raw.put("/v1/agent/service/deregister/d1", null);
        assertEquals(404, again.status());
        assertEquals("Unknown service ID \"d1\". Ensure that the service ID is passed, not the service name.", again.body());
        Raw.Reply read = raw.get("/v1/agent/service/d1");
        assertEquals(404, read.status());
        assertEquals("unknown service ID: d1", read.body());
    }

    @Test
    void servicesCriticalForLongerThanDeregisterCriticalServiceAfterAreReaped() {
        consul.close();
        consul = ConsulSimulator.builder().checkReapInterval(Duration.ofMillis(100))
                .checkDeregisterIntervalMin(Duration.ofMillis(500)).build();
        raw = new Raw(consul);
        long registered = System.nanoTime();
        raw.put("/v1/agent/service/register", "{\"ID\":\"r1\",\"Name\":\"reaped\",\"Check\":{\"TTL\":\"30s\","
                + "\"DeregisterCriticalServiceAfter\":\"100ms\"}}");
        raw.put("/v1/agent/service/register", "{\"ID\":\"k1\",\"Name\":\"kept\",\"Check\":{\"TTL\":\"30s\","
                + "\"Status\":\"passing\",\"DeregisterCriticalServiceAfter\":\"100ms\"}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> !consul.serviceIds().contains("r1"));
        assertTrue(System.nanoTime() - registered >= Duration.ofMillis(500).toNanos(),
                "the timeout is raised to check_deregister_interval_min");
        assertEquals(List.of("r1"), consul.journal(JournalEvent.Kind.SERVICE_REAPED).stream().map(JournalEvent::subject).toList());
        assertTrue(consul.serviceIds().contains("k1"), "a passing service is not reaped");
    }

    @Test
    void forgettingTheAgentStateDropsRegistrationsButNotKvOrTheNode() {
        raw.put("/v1/agent/service/register", ttlService("f1", "forget", "30s", null));
        raw.put("/v1/kv/stays", "v");
        consul.forgetAgentState();
        assertEquals("{}", raw.get("/v1/agent/services").body());
        assertEquals("[]", raw.get("/v1/health/service/forget").body());
        assertEquals(404, raw.put("/v1/agent/check/pass/service:f1", null).status(),
                "a TTL update after the agent forgot is a 404, the cue to register again");
        assertEquals("v", raw.get("/v1/kv/stays?raw").body());
        assertEquals("passing", consul.checkStatus("serfHealth").orElseThrow());
        assertEquals(1, consul.journal(JournalEvent.Kind.AGENT_FORGOT).size());
    }

    @Test
    void theAgentServiceEndpointBlocksOnItsContentHash() {
        raw.put("/v1/agent/service/register", ttlService("h1", "hashed", "30s", null));
        Raw.Reply first = raw.get("/v1/agent/service/h1");
        String hash = first.headers().firstValue("X-Consul-ContentHash").orElseThrow();
        assertEquals(hash, first.object().get("ContentHash").getAsString());
        var waiting = raw.async("GET", "/v1/agent/service/h1?hash=" + hash + "&wait=30s", null);
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.blockedQueries() == 1);
        raw.put("/v1/agent/service/register", ttlService("h1", "hashed", "30s", null).replace("\"v1\"", "\"v2\""));
        Raw.Reply changed = waiting.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertFalse(hash.equals(changed.headers().firstValue("X-Consul-ContentHash").orElseThrow()));
        assertEquals("[\"primary\",\"v2\"]", changed.object().get("Tags").toString());
    }
}
