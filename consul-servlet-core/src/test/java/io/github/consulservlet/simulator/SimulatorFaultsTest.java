package io.github.consulservlet.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ACL, request validation, the faults tests inject, and the journal. */
class SimulatorFaultsTest {
    private ConsulSimulator consul = ConsulSimulator.start();
    private Raw raw = new Raw(consul);

    @AfterEach
    void close() {
        consul.close();
    }

    @Test
    void withAclsOnlyTheRightTokenIsServed() {
        consul.close();
        consul = ConsulSimulator.builder().aclToken("s3cr3t").build();
        Raw anonymous = new Raw(consul.uri(), null);
        Raw.Reply denied = anonymous.get("/v1/kv/config/db");
        assertEquals(403, denied.status());
        assertEquals("Permission denied: anonymous token lacks permission 'key:read' on \"config/db\". The anonymous"
                + " token is used implicitly when a request does not specify a token.", denied.body());
        Raw.Reply unknown = new Raw(consul.uri(), "wrong").get("/v1/kv/config/db");
        assertEquals(403, unknown.status());
        assertEquals("ACL not found", unknown.body());
        assertEquals(404, new Raw(consul).get("/v1/kv/config/db").status(), "the right token reaches the store");
        assertEquals(200, anonymous.get("/v1/status/leader").status(), "status needs no token");
        assertEquals(403, anonymous.put("/v1/agent/service/register", "{\"Name\":\"x\"}").status());
        assertTrue(consul.serviceIds().isEmpty());
    }

    @Test
    void requestsOutsideTheApiAreRefusedAsConsulRefusesThem() {
        assertEquals("No path to datacenter", raw.get("/v1/kv/k?dc=mars").body());
        assertEquals(404, raw.get("/v1/kv/k?dc=dc1").status());
        assertEquals("Cannot specify ?stale with ?consistent, conflicting semantics.",
                raw.get("/v1/kv/k?stale&consistent").body());
        Raw.Reply unknown = raw.get("/v1/nope");
        assertEquals(404, unknown.status());
        assertEquals("Invalid URL path: not a recognized HTTP API endpoint", unknown.body());
        Raw.Reply wrongMethod = raw.get("/v1/agent/service/register");
        assertEquals(405, wrongMethod.status());
        assertEquals("stale", raw.get("/v1/kv/?keys&stale").headers().firstValue("X-Consul-Effective-Consistency")
                .orElseThrow());
    }

    @Test
    void anAgentThatStopsAnsweringHoldsRequestsUntilItResumes() {
        consul.stopAnswering();
        CompletableFuture<Raw.Reply> held = raw.async("PUT", "/v1/kv/held", "v".getBytes());
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.heldRequests() == 1);
        assertFalse(held.isDone());
        consul.resumeAnswering();
        assertEquals("true", held.orTimeout(10, TimeUnit.SECONDS).join().body());
        assertEquals("v", raw.get("/v1/kv/held?raw").body());
    }

    @Test
    void aHungAgentAlsoHoldsTheAnswersOfQueriesThatWereWaiting() {
        raw.put("/v1/agent/service/register", "{\"Name\":\"forgotten\"}");
        long index = raw.get("/v1/catalog/services").index();
        CompletableFuture<Raw.Reply> waiting = raw.async("GET", "/v1/catalog/services?index=" + index + "&wait=30s", null);
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.blockedQueries() == 1);
        consul.stopAnswering();
        consul.forgetAgentState();
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.heldRequests() == 1);
        assertFalse(waiting.isDone());
        consul.resumeAnswering();
        assertFalse(waiting.orTimeout(10, TimeUnit.SECONDS).join().object().has("forgotten"));
    }

    @Test
    void requestsDelayedBeforeTheAgentWentDownAreNeverApplied() {
        consul.latency(Duration.ofSeconds(3));
        CompletableFuture<Raw.Reply> late = raw.async("PUT", "/v1/kv/late", "v".getBytes());
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(2))
                .until(() -> consul.receivedRequests() == 1);
        consul.goDown();
        assertThrows(java.util.concurrent.CompletionException.class, () -> late.orTimeout(10, TimeUnit.SECONDS).join());
        consul.clearFaults();
        Raw fresh = new Raw(consul);
        // past the moment the delayed write would have been applied, it still is not
        await().during(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(10))
                .until(() -> fresh.get("/v1/kv/late").status() == 404);
        assertTrue(consul.journal(JournalEvent.Kind.KV_SET).isEmpty());
    }

    @Test
    void aClosedSimulatorCannotComeUpAgain() {
        consul.close();
        assertThrows(IllegalStateException.class, consul::comeUp);
    }

    @Test
    void anAgentThatGoesDownRefusesConnectionsAndComesBackOnTheSamePortWithItsState() {
        raw.put("/v1/kv/survives", "v");
        int port = consul.port();
        consul.goDown();
        UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                () -> new Raw(consul).get("/v1/kv/survives"));
        assertTrue(refused.getCause() instanceof ConnectException, refused.toString());
        consul.comeUp();
        assertEquals(port, consul.port());
        assertEquals("v", raw.get("/v1/kv/survives?raw").body());
    }

    @Test
    void injectedErrorsAndLatencyLastUntilCleared() {
        consul.failRequests(500, "rpc error: No cluster leader");
        Raw.Reply failed = raw.get("/v1/kv/k");
        assertEquals(500, failed.status());
        assertEquals("rpc error: No cluster leader", failed.body());
        consul.clearFaults();
        assertEquals(404, raw.get("/v1/kv/k").status());

        consul.latency(Duration.ofMillis(300));
        long start = System.nanoTime();
        raw.get("/v1/kv/k");
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
        consul.clearFaults();
    }

    @Test
    void theJournalRecordsWhatHappenedInOrder() {
        raw.put("/v1/agent/service/register",
                "{\"ID\":\"j1\",\"Name\":\"journaled\",\"Port\":9,\"Check\":{\"TTL\":\"30s\",\"Status\":\"passing\"}}");
        raw.put("/v1/agent/service/maintenance/j1?enable=true&reason=deploy", null);
        raw.put("/v1/agent/service/deregister/j1", null);
        List<JournalEvent> events = consul.journal();
        assertEquals(List.of(JournalEvent.Kind.SERVICE_REGISTERED, JournalEvent.Kind.CHECK_STATUS,
                JournalEvent.Kind.MAINTENANCE_ENABLED, JournalEvent.Kind.SERVICE_DEREGISTERED),
                events.stream().map(JournalEvent::kind).toList());
        assertEquals("journaled port 9", events.get(0).detail());
        assertEquals("deploy", events.get(2).detail());
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).index() >= events.get(i - 1).index());
        }
    }
}
