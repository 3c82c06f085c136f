package io.github.consulservlet.internal.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;

class WatchTest {
    private FakeAgent agent;
    private ConsulClient client;

    private ConsulClient client(FakeAgent.Script script, Duration wait) throws Exception {
        agent = new FakeAgent(script);
        client = ConsulClient.builder().agents(agent.url()).blockingQueryWait(wait)
                .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).build();
        return client;
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    /** Records what a watch delivers, as values of the key. */
    static final class Recorder implements WatchListener<Optional<KvEntry>> {
        final List<String> values = new CopyOnWriteArrayList<>();
        final List<ConsulException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(Optional<KvEntry> value) {
            values.add(value.map(KvEntry::valueAsString).orElse("<absent>"));
        }

        @Override
        public void onError(ConsulException error) {
            errors.add(error);
        }
    }

    @Test
    void deliversTheValueThenEachChangeWithinMilliseconds() throws Exception {
        KvState state = new KvState("color", "red");
        Recorder seen = new Recorder();
        client(state, Duration.ofSeconds(30)).kv().watch("color", seen);

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("red")));
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() == 2);
        state.set("blue");
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("red", "blue")));

        FakeAgent.Call first = agent.calls.get(0);
        FakeAgent.Call second = agent.calls.get(1);
        assertEquals(-1, first.index(), "the first read does not block");
        assertEquals(1, second.index(), "then it blocks on the index it was given");
        assertEquals(Optional.of("30s"), second.param("wait"));
    }

    @Test
    void aNewIndexWithTheSameDataIsNotAChange() throws Exception {
        KvState state = new KvState("color", "red");
        Recorder seen = new Recorder();
        client(state, Duration.ofSeconds(30)).kv().watch("color", seen);
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() == 2);

        state.touch();
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() == 3);
        state.set("green");

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("red", "green")));
    }

    @Test
    void aKeyThatAppearsAndDisappears() throws Exception {
        KvState state = new KvState("flag", null);
        Recorder seen = new Recorder();
        client(state, Duration.ofSeconds(30)).kv().watch("flag", seen);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("<absent>")));

        state.set("on");
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("<absent>", "on")));
        state.set(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("<absent>", "on", "<absent>")));
    }

    @Test
    void anIndexThatGoesBackwardsIsResetToZero() throws Exception {
        AtomicInteger n = new AtomicInteger();
        Recorder seen = new Recorder();
        KvState restored = new KvState("k", "b");
        client(call -> switch (n.getAndIncrement()) {
            case 0 -> new FakeAgent.Answer(200, 10, FakeAgent.kvBody("k", "a", 10));
            case 1 -> new FakeAgent.Answer(200, 3, FakeAgent.kvBody("k", "b", 1)); // a restored snapshot
            case 2 -> new FakeAgent.Answer(200, 4, FakeAgent.kvBody("k", "b", 1));
            default -> restored.answer(call);
        }, Duration.ofMillis(300)).kv().watch("k", seen);

        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() >= 4);

        assertEquals(List.of(-1L, 10L, -1L, 4L), agent.calls.subList(0, 4).stream().map(FakeAgent.Call::index).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("a", "b")));
    }

    @Test
    void anIndexBelowOneIsRaisedToOneAndNeverSpins() throws Exception {
        Recorder seen = new Recorder();
        // An agent with the bug the blocking-query page warns of: it always answers index 0, at once.
        client(call -> new FakeAgent.Answer(200, 0, FakeAgent.kvBody("k", "v", 1)), Duration.ofSeconds(30))
                .kv().watch("k", seen);

        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() >= 3);
        assertEquals(1, agent.calls.get(1).index());
        assertEquals(1, agent.calls.get(2).index());
        // Early answers with an unchanged index are retried only after a backoff of at least 50 ms each.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> agent.calls.size() < 30);
        assertTrue(agent.calls.get(2).atNanos() - agent.calls.get(1).atNanos() >= Duration.ofMillis(50).toNanos());
        assertEquals(List.of("v"), seen.values);
    }

    @Test
    void errorsAreReportedAndRetriedWithBackoff() throws Exception {
        AtomicInteger n = new AtomicInteger();
        Recorder seen = new Recorder();
        client(call -> n.getAndIncrement() < 2 ? new FakeAgent.Answer(500, 0, "rpc error: No cluster leader")
                : new FakeAgent.Answer(200, 5, FakeAgent.kvBody("k", "v", 5)), Duration.ofSeconds(30))
                .kv().watch("k", seen);

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.values.equals(List.of("v")));

        assertEquals(2, seen.errors.size());
        assertEquals(500, seen.errors.get(0).status());
        assertEquals("rpc error: No cluster leader", seen.errors.get(0).consulMessage());
        List<FakeAgent.Call> calls = agent.calls;
        assertTrue(calls.get(1).atNanos() - calls.get(0).atNanos() >= Duration.ofMillis(50).toNanos(),
                "the first retry waits at least half the minimum backoff");
        assertEquals(-1, calls.get(2).index(), "nothing was read yet, so the retry does not block");
    }

    @Test
    void dataThatChangesAllTheTimeIsFollowedAtALimitedRate() throws Exception {
        AtomicInteger index = new AtomicInteger(1);
        Recorder seen = new Recorder();
        // Every answer at once, with a new index and new data: a watch must not turn this into a hot loop.
        client(call -> {
            int n = index.incrementAndGet();
            return new FakeAgent.Answer(200, n, FakeAgent.kvBody("k", "v" + n, n));
        }, Duration.ofSeconds(30)).kv().watch("k", seen);

        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() >= 4);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> agent.calls.size() <= 10);
        assertTrue(seen.values.size() >= 4, seen.values.toString());
    }

    @Test
    void closingAWatchThatIsWaitingToRetryStopsIt() throws Exception {
        Recorder seen = new Recorder();
        Watch watch = client(call -> new FakeAgent.Answer(500, 0, "boom"), Duration.ofSeconds(30)).kv().watch("k", seen);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.errors.size() >= 1);

        watch.close();
        int calls = agent.calls.size();

        // One query may have been on its way when close() ran; an open watch would retry every 100-400 ms.
        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).until(() -> agent.calls.size() <= calls + 1);
    }

    @Test
    void aFailingListenerDoesNotStopTheWatch() throws Exception {
        KvState state = new KvState("k", "1");
        List<String> seen = new CopyOnWriteArrayList<>();
        client(state, Duration.ofSeconds(30)).kv().watch("k", value -> {
            seen.add(value.orElseThrow().valueAsString());
            throw new IllegalStateException("listener bug");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1 && agent.calls.size() == 2);

        state.set("2");

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.equals(List.of("1", "2")));
    }

    @Test
    void aListenerThatThrowsAnErrorDoesNotKeepOthersFromTheChange() throws Exception {
        KvState state = new KvState("k", "1");
        client(state, Duration.ofSeconds(30));
        List<String> failing = new CopyOnWriteArrayList<>();
        client.newContext().kv().watch("k", value -> {
            failing.add(value.orElseThrow().valueAsString());
            throw new NoClassDefFoundError("a webapp being undeployed");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> failing.size() == 1);
        Recorder other = new Recorder();
        client.newContext().kv().watch("k", other);
        await().atMost(Duration.ofSeconds(5)).until(() -> other.values.equals(List.of("1")));

        state.set("2");

        await().atMost(Duration.ofSeconds(5)).until(() -> other.values.equals(List.of("1", "2")));
        assertEquals(List.of("1", "2"), failing);
    }

    @Test
    void closeWaitsForACallAlreadyUnderWay() throws Exception {
        KvState state = new KvState("k", "1");
        java.util.concurrent.CountDownLatch inListener = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean listenerDone = new java.util.concurrent.atomic.AtomicBoolean();
        Watch watch = client(state, Duration.ofSeconds(30)).kv().watch("k", value -> {
            inListener.countDown();
            try {
                release.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            listenerDone.set(true);
        });
        assertTrue(inListener.await(5, java.util.concurrent.TimeUnit.SECONDS));

        java.util.concurrent.CompletableFuture<Void> closing = java.util.concurrent.CompletableFuture.runAsync(watch::close);
        await().atMost(Duration.ofSeconds(1)).until(watch::isClosed);
        assertFalse(closing.isDone(), "close() waits for the listener call under way");
        release.countDown();

        closing.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(listenerDone.get());
    }

    @Test
    void closingAWatchCancelsItsQueryAndStopsIt() throws Exception {
        KvState state = new KvState("k", "1");
        Recorder seen = new Recorder();
        Watch watch = client(state, Duration.ofSeconds(30)).kv().watch("k", seen);
        // The first value must have reached the listener: a closed watch drops a notification still queued.
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() == 2 && seen.values.equals(List.of("1")));

        watch.close();
        state.set("2");

        assertTrue(watch.isClosed());
        // The last watch of a chain leaves it on the event thread: a query answered in between may
        // be followed by one more, which the leaving cancels. Nothing is delivered after close, and
        // a later change reaches no query: the chain has stopped. The deadlines allow late polls.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertTrue(agent.calls.size() <= 3, "at most the query under way's successor after close: " + agent.calls);
            assertEquals(List.of("1"), seen.values, "nothing delivered after close");
        });
        int calls = agent.calls.size();
        state.set("3");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertEquals(calls, agent.calls.size(), "no query after the chain stopped: " + agent.calls);
            assertEquals(List.of("1"), seen.values, "nothing delivered after close");
        });
    }

    @Test
    void closingAContextStopsItsWatchesOnly() throws Exception {
        KvState state = new KvState("k", "1");
        client(state, Duration.ofSeconds(30));
        ScopedConsulContext webapp1 = client.newContext();
        ScopedConsulContext webapp2 = client.newContext();
        Recorder seen1 = new Recorder();
        Recorder seen2 = new Recorder();
        Watch watch1 = webapp1.kv().watch("k", seen1);
        webapp2.kv().watch("k", seen2);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen1.values.size() == 1 && seen2.values.size() == 1);

        webapp1.close();
        state.set("2");

        assertTrue(watch1.isClosed());
        assertEquals(0, webapp1.activeWatches());
        assertEquals(1, webapp2.activeWatches());
        await().atMost(Duration.ofSeconds(5)).until(() -> seen2.values.equals(List.of("1", "2")));
        assertEquals(List.of("1"), seen1.values);
        org.junit.jupiter.api.Assertions.assertThrows(ConsulException.class, () -> webapp1.kv().watch("k", new Recorder()));
    }

    @Test
    void watchesOfTheSameDataShareOneChainOfQueries() throws Exception {
        KvState state = new KvState("k", "1");
        client(state, Duration.ofSeconds(30));
        List<Recorder> recorders = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            Recorder seen = new Recorder();
            recorders.add(seen);
            client.newContext().kv().watch("k", seen);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> recorders.stream().allMatch(r -> r.values.equals(List.of("1"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() == 2);
        assertEquals(1, client.runtimeForTests().watches.chainCount());

        Recorder late = new Recorder();
        Watch lateWatch = client.kv().watch("k", late);
        await().atMost(Duration.ofSeconds(5)).until(() -> late.values.equals(List.of("1")));
        state.set("2");

        await().atMost(Duration.ofSeconds(5)).until(() -> recorders.stream().allMatch(r -> r.values.equals(List.of("1", "2")))
                && late.values.equals(List.of("1", "2")));
        assertTrue(agent.calls.size() <= 3, "one chain of queries for 21 watches: " + agent.calls);
        lateWatch.close();
    }

    @Test
    void theChainStopsWithItsLastWatchAndStartsAgainWithANewOne() throws Exception {
        KvState state = new KvState("k", "1");
        client(state, Duration.ofSeconds(30));
        Recorder first = new Recorder();
        Watch watch = client.kv().watch("k", first);
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.calls.size() == 2);

        watch.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.runtimeForTests().watches.chainCount() == 0);
        state.set("2");
        Recorder second = new Recorder();
        client.kv().watch("k", second);

        await().atMost(Duration.ofSeconds(5)).until(() -> second.values.equals(List.of("2")));
        assertEquals(List.of("1"), first.values);
        assertEquals(-1, agent.calls.get(2).index(), "a new chain starts with a plain read");
    }

    @Test
    void watchesOfServicesAndPrefixesFollowChanges() throws Exception {
        AtomicInteger health = new AtomicInteger();
        client(call -> {
            if (call.path().startsWith("/v1/health/service/shop")) {
                long asked = call.index();
                if (asked >= 2) {
                    return new KvState("x", "y").answer(call); // nothing changes after the second answer
                }
                int n = health.incrementAndGet();
                String port = n == 1 ? "8080" : "8081";
                return new FakeAgent.Answer(200, n, "[{\"Node\":{\"Node\":\"n\",\"Address\":\"127.0.0.1\",\"Datacenter\":\"dc1\"},"
                        + "\"Service\":{\"ID\":\"shop-" + port + "\",\"Service\":\"shop\",\"Port\":" + port + "}}]");
            }
            return new FakeAgent.Answer(404, 1, "");
        }, Duration.ofMillis(500));
        List<Integer> ports = new CopyOnWriteArrayList<>();
        client.discovery().watch("shop", instances -> ports.add(instances.get(0).port()));

        await().atMost(Duration.ofSeconds(5)).until(() -> ports.equals(List.of(8080, 8081)));
        assertTrue(agent.calls.stream().allMatch(c -> c.param("passing").isPresent()));
    }
}
