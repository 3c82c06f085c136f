package io.github.consulservlet.bench;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.HealthService;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.google.common.net.HostAndPort;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.model.kv.Value;
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

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.internal.client.ConsulClient;

/**
 * One uncached read per call, each a full HTTP round trip to the simulator: a KV get and a
 * {@code health/service/<name>?passing}, by our client and by each peer with its defaults.
 * Several threads call at once, so that each client's connection pooling counts. The forked JVM
 * of each client takes about 10 s to compile its HTTP stack, hence the longer warm-up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(4)
public class UncachedBenchmarks {

    /** Our client. */
    @State(Scope.Benchmark)
    public static class Ours {
        ConsulClient client;

        @Setup(Level.Trial)
        public void open() {
            client = ConsulClient.builder().agents(Seed.agent()).build();
            Seed.check("ours", client.kv().get(Seed.KEY).map(KvEntry::valueAsString).orElse(null),
                    client.discovery().service(Seed.SERVICE).size());
        }

        @TearDown(Level.Trial)
        public void close() {
            client.close();
        }
    }

    /** kiwiproject consul-client (OkHttp and Retrofit underneath). */
    @State(Scope.Benchmark)
    public static class Kiwiproject {
        Consul client;

        @Setup(Level.Trial)
        public void open() {
            client = Consul.builder().withHostAndPort(HostAndPort.fromParts(Seed.host(), Seed.port()))
                    .withPing(false).build();
            Seed.check("kiwiproject", client.keyValueClient().getValueAsString(Seed.KEY).orElse(null),
                    client.healthClient().getHealthyServiceInstances(Seed.SERVICE).getResponse().size());
        }

        @TearDown(Level.Trial)
        public void close() {
            client.destroy();
        }
    }

    /** Ecwid consul-api (Apache HttpClient 4 underneath). */
    @State(Scope.Benchmark)
    public static class Ecwid {
        com.ecwid.consul.v1.ConsulClient client;
        final HealthServicesRequest passing = HealthServicesRequest.newBuilder().setPassing(true).build();

        @Setup(Level.Trial)
        public void open() {
            client = new com.ecwid.consul.v1.ConsulClient(Seed.host(), Seed.port());
            Seed.check("ecwid", client.getKVValue(Seed.KEY).getValue().getDecodedValue(),
                    client.getHealthServices(Seed.SERVICE, passing).getValue().size());
        }
    }

    @Benchmark
    public Optional<KvEntry> kvGetOurs(Ours ours) {
        return ours.client.kv().get(Seed.KEY);
    }

    @Benchmark
    public Optional<Value> kvGetKiwiproject(Kiwiproject kiwi) {
        return kiwi.client.keyValueClient().getValue(Seed.KEY);
    }

    @Benchmark
    public Response<GetValue> kvGetEcwid(Ecwid ecwid) {
        return ecwid.client.getKVValue(Seed.KEY);
    }

    @Benchmark
    public List<ServiceInstance> healthPassingOurs(Ours ours) {
        return ours.client.discovery().service(Seed.SERVICE);
    }

    @Benchmark
    public ConsulResponse<List<ServiceHealth>> healthPassingKiwiproject(Kiwiproject kiwi) {
        return kiwi.client.healthClient().getHealthyServiceInstances(Seed.SERVICE);
    }

    @Benchmark
    public Response<List<HealthService>> healthPassingEcwid(Ecwid ecwid) {
        return ecwid.client.getHealthServices(Seed.SERVICE, ecwid.passing);
    }
}
