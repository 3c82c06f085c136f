package io.github.consulservlet.internal.client;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import io.github.consulservlet.ConsulException;

/**
 * A JVM of its own, started with a heap smaller than a few watch limits, that watches an
 * endless answer beside a healthy key. It prints the endless watch's error and whether the
 * healthy watch, and a new one, still see changes afterwards; it exits 0 only when they do.
 */
final class SmallHeapWatchProcess {
    private static final Duration BOUND = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        try (HostileAgent agent = new HostileAgent();
                ConsulClient client = ConsulClient.builder().agents(agent.url())
                        .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).build()) {
            agent.on("/v1/kv/healthy", HostileAgent.fixed(200, "5", FakeAgent.kvBody("healthy", "one", 5)));
            agent.on("/v1/kv/endless", agent.endless());
            WatchTest.Recorder healthy = new WatchTest.Recorder();
            client.kv().watch("healthy", healthy);
            await().atMost(BOUND).until(() -> healthy.values.equals(List.of("one")));

            WatchTest.Recorder endless = new WatchTest.Recorder();
            client.newContext().kv().watch("endless", endless);
            await().atMost(BOUND).until(() -> !endless.errors.isEmpty());
            ConsulException error = endless.errors.get(0);
            System.out.println("endless: " + error.getClass().getSimpleName() + " " + error.status() + " "
                    + error.getMessage());

            agent.on("/v1/kv/healthy", HostileAgent.fixed(200, "6", FakeAgent.kvBody("healthy", "two", 6)));
            WatchTest.Recorder later = new WatchTest.Recorder();
            try {
                await().atMost(BOUND).until(() -> healthy.values.equals(List.of("one", "two")));
                client.newContext().kv().watch("healthy", later);
                await().atMost(BOUND).until(() -> later.values.equals(List.of("two")));
                System.out.println("healthy: " + healthy.values + " later: " + later.values);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                System.out.println("stuck: healthy " + healthy.values + " later " + later.values + ", "
                        + healthy.errors.size() + " errors since, the first: "
                        + healthy.errors.stream().findFirst().map(ConsulException::getMessage).orElse("none"));
                System.exit(1);
            }
        }
        System.exit(0);
    }
}
