package io.github.consulservlet.simulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blocking queries, from https://developer.hashicorp.com/consul/api-docs/features/blocking. */
class SimulatorBlockingTest {
    private final ConsulSimulator consul = ConsulSimulator.start();
    private final Raw raw = new Raw(consul);

    @AfterEach
    void close() {
        consul.close();
    }

    /** Waits until the query just sent waits in the simulator, so the write that follows must wake it. */
    private void parked() {
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
                .until(() -> consul.blockedQueries() == 1);
    }

    private static Raw.Reply within(CompletableFuture<Raw.Reply> reply, Duration limit) {
        return reply.orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Test
    void aKeyReadAtItsIndexAnswersWhenTheKeyChanges() {
        raw.put("/v1/kv/watched", "1");
        long index = raw.get("/v1/kv/watched").index();
        CompletableFuture<Raw.Reply> waiting = raw.async("GET", "/v1/kv/watched?index=" + index + "&wait=30s", null);
        parked();
        raw.put("/v1/kv/watched", "2");
        Raw.Reply changed = within(waiting, Duration.ofSeconds(10));
        assertTrue(changed.index() > index);
        assertEquals("Mg==", changed.first().get("Value").getAsString());
    }

    @Test
    void aWaitWithoutChangeAnswersTheSameIndexAfterTheWait() {
        raw.put("/v1/kv/quiet", "1");
        long index = raw.get("/v1/kv/quiet").index();
        long start = System.nanoTime();
        Raw.Reply same = raw.get("/v1/kv/quiet?index=" + index + "&wait=300ms");
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
        assertEquals(index, same.index());
    }

    @Test
    void writesToOtherKeysDoNotWakeAKeyRead() {
        raw.put("/v1/kv/mine", "1");
        long index = raw.get("/v1/kv/mine").index();
        long start = System.nanoTime();
        CompletableFuture<Raw.Reply> waiting = raw.async("GET", "/v1/kv/mine?index=" + index + "&wait=1s", null);
        parked();
        raw.put("/v1/kv/theirs", "x");
        Raw.Reply answer = within(waiting, Duration.ofSeconds(10));
        assertTrue(System.nanoTime() - start >= Duration.ofSeconds(1).toNanos(), "woken by another key");
        assertEquals(index, answer.index());
    }

    @Test
    void aMissingKeyCanBeWaitedForUntilItIsWritten() {
        Raw.Reply miss = raw.get("/v1/kv/later");
        CompletableFuture<Raw.Reply> waiting = raw.async("GET", "/v1/kv/later?index=" + miss.index() + "&wait=30s", null);
        parked();
        raw.put("/v1/kv/later", "here");
        assertEquals(200, within(waiting, Duration.ofSeconds(10)).status());
    }

    @Test
    void aPrefixReadWakesOnAnyKeyUnderIt() {
        raw.put("/v1/kv/dir/a", "1");
        long index = raw.get("/v1/kv/dir/?recurse").index();
        CompletableFuture<Raw.Reply> waiting = raw.async("GET", "/v1/kv/dir/?recurse&index=" + index + "&wait=30s", null);
        parked();
        raw.put("/v1/kv/dir/b", "2");
        assertEquals(2, within(waiting, Duration.ofSeconds(10)).array().size());
    }

    @Test
    void healthWakesWhenACheckChangesStatus() {
        raw.put("/v1/agent/service/register", "{\"ID\":\"b1\",\"Name\":\"blocky\",\"Check\":{\"TTL\":\"30s\"}}");
        Raw.Reply before = raw.get("/v1/health/service/blocky?passing");
        assertEquals("[]", before.body());
        CompletableFuture<Raw.Reply> waiting = raw.async("GET",
                "/v1/health/service/blocky?passing&index=" + before.index() + "&wait=30s", null);
        parked();
        raw.put("/v1/agent/check/pass/service:b1", null);
        assertEquals(1, within(waiting, Duration.ofSeconds(10)).array().size());
    }

    @Test
    void theCatalogWakesWhenAServiceIsRegistered() {
        long index = raw.get("/v1/catalog/services").index();
        CompletableFuture<Raw.Reply> waiting = raw.async("GET", "/v1/catalog/services?index=" + index + "&wait=30s", null);
        parked();
        raw.put("/v1/agent/service/register", "{\"Name\":\"newcomer\"}");
        assertTrue(within(waiting, Duration.ofSeconds(10)).object().has("newcomer"));
    }

    @Test
    void sessionListsWakeWhenASessionIsCreated() {
        long index = raw.get("/v1/session/list").index();
        CompletableFuture<Raw.Reply> waiting = raw.async("GET", "/v1/session/list?index=" + index + "&wait=30s", null);
        parked();
        raw.put("/v1/session/create", null);
        assertEquals(1, within(waiting, Duration.ofSeconds(10)).array().size());
    }

    @Test
    void theIndexIsAlwaysAtLeastOneAndZeroDoesNotBlock() {
        Raw.Reply first = raw.get("/v1/kv/nothing?index=0&wait=30s");
        assertEquals(404, first.status());
        assertTrue(first.index() >= 1);
        assertTrue(raw.get("/v1/session/list").index() >= 1);
    }

    @Test
    void malformedWaitAndIndexAreRefused() {
        Raw.Reply wait = raw.get("/v1/kv/k?index=5&wait=forever");
        assertEquals(400, wait.status());
        assertEquals("Invalid wait time", wait.body());
        Raw.Reply index = raw.get("/v1/kv/k?index=-1");
        assertEquals(400, index.status());
        assertEquals("Invalid index", index.body());
    }
}
