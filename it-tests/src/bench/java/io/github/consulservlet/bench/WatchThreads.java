package io.github.consulservlet.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.cache.ServiceHealthCache;

import io.github.consulservlet.Watch;
import io.github.consulservlet.internal.client.ConsulClient;

/**
 * The threads a client needs to hold many watches, counted in this JVM: the threads alive once
 * every watch has delivered its first value and the blocking queries have settled, that were not
 * alive before the client was built. The simulator's own threads ({@code consul-sim-*}) are left
 * out, as a real agent runs elsewhere.
 */
final class WatchThreads {
    static final int WATCHES = 1_000;
    private static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration INITIAL = Duration.ofSeconds(120);

    /** The new threads, by name with its numbers left out: {@code consul-servlet-io-#=1}. */
    record Count(int threads, Map<String, Long> byName) {
    }

    private WatchThreads() {
    }

    /** Threads our client uses for {@value #WATCHES} watches on distinct services. */
    static Count ours(String agent) throws InterruptedException {
        Set<Thread> before = liveThreads();
        List<Watch> watches = new ArrayList<>();
        CountDownLatch delivered = new CountDownLatch(WATCHES);
        try (ConsulClient client = ConsulClient.builder().agents(agent).build()) {
            for (int i = 0; i < WATCHES; i++) {
                boolean[] first = {true};
                watches.add(client.discovery().watch(service(i), instances -> {
                    if (first[0]) { // a watch's listener calls run one at a time, on the event thread
                        first[0] = false;
                        delivered.countDown();
                    }
                }));
            }
            if (!delivered.await(INITIAL.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(delivered.getCount() + " of our watches delivered nothing within " + INITIAL);
            }
            Thread.sleep(SETTLE.toMillis());
            return since(before);
        } finally {
            watches.forEach(Watch::close);
        }
    }

    /**
     * Threads kiwiproject's client uses for {@value #WATCHES} started {@link ServiceHealthCache}s
     * on distinct services, on one {@link Consul}.
     */
    static Count kiwiproject(String host, int port) throws InterruptedException {
        Set<Thread> before = liveThreads();
        Consul client = Seed.kiwiprojectForCaches(host, port);
        List<ServiceHealthCache> caches = new ArrayList<>();
        try {
            for (int i = 0; i < WATCHES; i++) {
                ServiceHealthCache cache = ServiceHealthCache.newCache(client.healthClient(), service(i));
                caches.add(cache);
                cache.start();
            }
            long deadline = System.nanoTime() + INITIAL.toNanos();
            for (ServiceHealthCache cache : caches) {
                if (!cache.awaitInitialized(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException("kiwiproject's caches not initialized within " + INITIAL);
                }
            }
            Thread.sleep(SETTLE.toMillis());
            return since(before);
        } finally {
            caches.forEach(ServiceHealthCache::stop);
            client.destroy();
        }
    }

    private static String service(int i) {
        return "watched-" + i;
    }

    private static Count since(Set<Thread> before) {
        Set<Thread> added = liveThreads();
        added.removeAll(before);
        Map<String, Long> byName = added.stream().collect(Collectors.groupingBy(
                t -> t.getName().replaceAll("\\d+", "#"), TreeMap::new, Collectors.counting()));
        return new Count(added.size(), byName);
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !t.getName().startsWith("consul-sim-"))
                .collect(Collectors.toSet());
    }
}
