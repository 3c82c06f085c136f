package io.github.consulservlet.bench;

import java.time.Duration;

import com.google.common.net.HostAndPort;
import org.kiwiproject.consul.Consul;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/**
 * What every client reads in the benchmarks, written once into the one simulator of the run:
 * the JMH forks find it through {@code -Dbench.agent}, so each client meets the same server
 * with the same data.
 */
final class Seed {
    static final String AGENT_PROPERTY = "bench.agent";
    static final String KEY = "bench/config/greeting";
    static final String VALUE = "hello from the benchmarks";
    static final String SERVICE = "bench-service";
    static final int INSTANCES = 3;

    private Seed() {
    }

    /** {@code 127.0.0.1:port} of the simulator, as the forks are told. */
    static String agent() {
        String agent = System.getProperty(AGENT_PROPERTY);
        if (agent == null) {
            throw new IllegalStateException("-D" + AGENT_PROPERTY + "=127.0.0.1:port is not set; run BenchMain");
        }
        return agent;
    }

    static String host() {
        return agent().substring(0, agent().lastIndexOf(':'));
    }

    static int port() {
        return Integer.parseInt(agent().substring(agent().lastIndexOf(':') + 1));
    }

    /**
     * A kiwiproject client fit for its caches: they refuse to start unless the read timeout
     * (10s by default) exceeds their blocking queries' wait (10s by default), so it is raised
     * to 15s, as kiwiproject asks of cache users. No ping, as the other clients send none.
     */
    static Consul kiwiprojectForCaches(String host, int port) {
        return Consul.builder().withHostAndPort(HostAndPort.fromParts(host, port)).withPing(false)
                .withReadTimeoutMillis(Duration.ofSeconds(15).toMillis()).build();
    }

    /** Fails a benchmark's set-up unless its client reads what was written, as the others do. */
    static void check(String client, String value, int passing) {
        if (!VALUE.equals(value) || passing != INSTANCES) {
            throw new IllegalStateException(client + " read " + value + " and " + passing + " passing instances;"
                    + " expected '" + VALUE + "' and " + INSTANCES);
        }
    }

    /** The key, and {@value #INSTANCES} instances of {@value #SERVICE} whose TTL checks pass for the run. */
    static void write(ConsulClient client) {
        client.kv().set(KEY, VALUE);
        for (int i = 1; i <= INSTANCES; i++) {
            client.agent().register(ServiceRegistration.builder(SERVICE).id(SERVICE + "-" + i)
                    .address("127.0.0.1").port(9000 + i)
                    .check(CheckDefinition.ttl(Duration.ofHours(1)).status(CheckStatus.PASSING).build())
                    .build());
        }
    }
}
