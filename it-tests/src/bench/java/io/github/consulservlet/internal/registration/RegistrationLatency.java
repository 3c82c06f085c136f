package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.util.component.LifeCycle;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.simulator.ConsulSimulator;

/**
 * How long a webapp takes from the container reporting it started to its check passing in the
 * agent, on core's test harness (in its test-jar, hence this package): {@link EmbeddedJetty}
 * deploys the webapp with consul-servlet's initializer and reports its start and stop through
 * {@link TestContainerAdapter}, the way the Jetty module does. The clock starts as the context
 * has started, just before the start is reported, and stops when the simulator has the check
 * passing.
 */
public final class RegistrationLatency {
    private static final String PATH = "/bench-webapp";
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    private RegistrationLatency() {
    }

    /**
     * Deploys a webapp alone {@code warmups + samples} times, undeploying it in between (so that
     * each one also makes the shared client a container's first webapp needs), and returns the
     * last {@code samples} latencies in milliseconds.
     */
    public static List<Double> measure(ConsulSimulator simulator, int warmups, int samples) throws Exception {
        List<Double> millis = new ArrayList<>();
        try (EmbeddedJetty jetty = new EmbeddedJetty()) {
            for (int i = 0; i < warmups + samples; i++) {
                double latency = once(jetty, simulator);
                if (i >= warmups) {
                    millis.add(latency);
                }
            }
        }
        return millis;
    }

    private static double once(EmbeddedJetty jetty, ConsulSimulator simulator) throws Exception {
        ServletContextHandler context = EmbeddedJetty.webapp(PATH,
                Map.of("consul.agent", simulator.address(), TestContainerAdapter.FOLLOW, "true"));
        long[] startedAt = {0};
        // added before the listener deploy() adds, which reports the start: called first
        context.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                startedAt[0] = System.nanoTime();
            }
        });
        jetty.deploy(context);
        Optional<String> id = Optional.empty();
        try {
            long deadline = System.nanoTime() + GIVE_UP.toNanos();
            while (true) {
                id = ConsulContext.of(context.getServletContext()).registration().serviceId();
                if (id.isPresent() && simulator.checkStatus("service:" + id.get()).filter("passing"::equals).isPresent()) {
                    return (System.nanoTime() - startedAt[0]) / 1e6;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the webapp's check did not pass within " + GIVE_UP);
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        } finally {
            jetty.undeploy(context);
            awaitGone(simulator, id.orElse(""));
        }
    }

    /**
     * The next sample starts as a lone deployment does: the webapp deregistered and its shared
     * client's threads ({@code consul-servlet-*}) gone.
     */
    private static void awaitGone(ConsulSimulator simulator, String serviceId) {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (simulator.serviceIds().contains(serviceId) || Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("consul-servlet-"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the webapp or its client outlived its undeploy by " + GIVE_UP);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
