package io.github.consulservlet.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import com.google.common.collect.ImmutableMap;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.cache.ServiceHealthCache;
import org.kiwiproject.consul.cache.ServiceHealthKey;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.Watch;
import io.github.consulservlet.internal.client.ConsulClient;

/**
 * A discovery lookup served from memory, kept current by a blocking-query watch: ours is the
 * pattern the README shows (a watch whose listener stores the passing instances in an
 * {@link AtomicReference}), kiwiproject's is its {@link ServiceHealthCache}. As many threads as
 * the bench machine's 2 cores: a lookup holds no lock and no connection, so more threads would
 * only measure the OS scheduler.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class CachedBenchmarks {

    /** Our client and a watch feeding the cache. */
    @State(Scope.Benchmark)
    public static class Ours {
        final AtomicReference<List<ServiceInstance>> instances = new AtomicReference<>();
        ConsulClient client;
        Watch watch;

        @Setup(Level.Trial)
        public void open() {
            client = ConsulClient.builder().agents(Seed.agent()).build();
            watch = client.discovery().watch(Seed.SERVICE, instances::set);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (instances.get() == null || instances.get().size() != Seed.INSTANCES) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the watch delivered " + instances.get());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            watch.close();
            client.close();
        }
    }

    /** kiwiproject's client and a started, initialized {@link ServiceHealthCache} (its whole map is the lookup). */
    @State(Scope.Benchmark)
    public static class Kiwiproject {
        Consul client;
        ServiceHealthCache cache;

        @Setup(Level.Trial)
        public void open() throws InterruptedException {
            client = Seed.kiwiprojectForCaches(Seed.host(), Seed.port());
            cache = ServiceHealthCache.newCache(client.healthClient(), Seed.SERVICE);
            cache.start();
            if (!cache.awaitInitialized(30, TimeUnit.SECONDS) || cache.getMap().size() != Seed.INSTANCES) {
                throw new IllegalStateException("the cache holds " + cache.getMap());
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            cache.stop();
            client.destroy();
        }
    }

    @Benchmark
    public List<ServiceInstance> cachedLookupOurs(Ours ours) {
        return ours.instances.get();
    }

    @Benchmark
    public ImmutableMap<ServiceHealthKey, ServiceHealth> cachedLookupKiwiproject(Kiwiproject kiwi) {
        return kiwi.cache.getMap();
    }
}
