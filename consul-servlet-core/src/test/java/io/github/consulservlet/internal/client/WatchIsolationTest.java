package io.github.consulservlet.internal.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.internal.client.watch.EventDispatch;
import io.github.consulservlet.spi.ExtensionThreads;

/**
 * One client's contexts (one per webapp) share its event thread: a listener that blocks in one
 * must not keep the others' watches from hearing changes, and the threads stay few.
 */
class WatchIsolationTest {
    private FakeAgent agent;
    private ConsulClient client;
    private final CountDownLatch unblock = new CountDownLatch(1);

    @AfterEach
    void stop() {
        unblock.countDown();
        if (client != null) {
            client.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void aBlockingListenerInOneContextDoesNotStarveAnothersWatches() throws Exception {
        KvState state = new KvState("k", "1");
        agent = new FakeAgent(state);
        client = ConsulClient.builder().agents(agent.url()).blockingQueryWait(Duration.ofSeconds(30)).build();
        CountDownLatch blocked = new CountDownLatch(1);
        client.newContext().kv().watch("k", value -> { // a webapp's listener that waits for ever
            blocked.countDown();
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocked.await(5, TimeUnit.SECONDS));
        WatchTest.Recorder other = new WatchTest.Recorder();
        client.newContext().kv().watch("k", other);

        await("another webapp hears the value").atMost(Duration.ofSeconds(10)).until(() -> other.values.equals(List.of("1")));
        state.set("2");
        await("and each change").atMost(Duration.ofSeconds(10)).until(() -> other.values.equals(List.of("1", "2")));
        assertEquals(2, client.runtimeForTests().events.threads(), "one thread, and the one the stuck listener holds");

        unblock.countDown();
        await("the stuck listener's thread ends once it returns").atMost(Duration.ofSeconds(10))
                .until(() -> client.runtimeForTests().events.threads() == 1);
    }

    @Test
    void aContextsQueueIsCappedWithOneError() throws Exception {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, new ExtensionThreads("test-scheduler"));
        EventDispatch dispatch = new EventDispatch(scheduler, Duration.ofMinutes(1), 3);
        try {
            EventDispatch.Queue queue = dispatch.newQueue("a slow context");
            CountDownLatch running = new CountDownLatch(1);
            AtomicInteger ran = new AtomicInteger();
            queue.execute(() -> {
                running.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.incrementAndGet();
            });
            assertTrue(running.await(5, TimeUnit.SECONDS));
            for (int i = 0; i < 10; i++) {
                queue.execute(ran::incrementAndGet);
            }
            List<String> order = new CopyOnWriteArrayList<>();
            EventDispatch.Queue other = dispatch.newQueue("another context");
            other.execute(() -> order.add("other")); // waits its turn on the one thread, but is not dropped
            unblock.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 4 && order.size() == 1);
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> ran.get() == 4);
        } finally {
            dispatch.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
