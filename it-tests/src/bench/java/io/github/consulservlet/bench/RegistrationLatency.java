package io.github.consulservlet.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.component.LifeCycle;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.registration.ConsulServletInitializer;
import io.github.consulservlet.registration.WebappLifecycle;
import io.github.consulservlet.simulator.ConsulSimulator;

/**
 * How long a webapp takes from the container reporting it started to its check passing in the
 * agent: an embedded Jetty 12 on 127.0.0.1, port 0, deploys a webapp with consul-servlet's
 * initializer, and reports its start and stop through {@link BenchContainerAdapter} the way the
 * Jetty module does (started once the context has started, stopping before it stops). The clock
 * starts just before the start is reported and stops when the simulator has the check passing.
 */
final class RegistrationLatency {
    private static final String PATH = "/bench-webapp";
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    private final ConsulSimulator simulator;
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final ContextHandlerCollection contexts = new ContextHandlerCollection(true);

    private RegistrationLatency(ConsulSimulator simulator) throws Exception {
        this.simulator = simulator;
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(contexts);
        server.start();
    }

    /**
     * Deploys a webapp alone {@code warmups + samples} times, undeploying it in between (so that
     * each one also makes the shared client a container's first webapp needs), and returns the
     * last {@code samples} latencies in milliseconds.
     */
    static List<Double> measure(ConsulSimulator simulator, int warmups, int samples) throws Exception {
        List<Double> millis = new ArrayList<>();
        RegistrationLatency jetty = new RegistrationLatency(simulator);
        try {
            for (int i = 0; i < warmups + samples; i++) {
                double latency = jetty.once();
                if (i >= warmups) {
                    millis.add(latency);
                }
            }
        } finally {
            jetty.server.stop();
        }
        return millis;
    }

    private double once() throws Exception {
        ServletContextHandler context = new ServletContextHandler(PATH);
        context.setInitParameter("consul.agent", simulator.address());
        context.setInitParameter(BenchContainerAdapter.FOLLOW, "true");
        context.addServletContainerInitializer(new ConsulServletInitializer());
        long[] startedAt = {0};
        context.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                startedAt[0] = System.nanoTime();
                BenchContainerAdapter.lifecycle(PATH).ifPresent(l -> l.started("127.0.0.1", connector.getLocalPort()));
            }

            @Override
            public void lifeCycleFailure(LifeCycle event, Throwable cause) {
                BenchContainerAdapter.lifecycle(PATH).ifPresent(WebappLifecycle::stopped);
            }

            @Override
            public void lifeCycleStopped(LifeCycle event) {
                BenchContainerAdapter.lifecycle(PATH).ifPresent(WebappLifecycle::stopped);
            }
        });
        contexts.addHandler(context);
        context.start();
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
            BenchContainerAdapter.lifecycle(PATH).ifPresent(WebappLifecycle::stopping);
            context.stop();
            contexts.removeHandler(context);
            awaitGone(id.orElse(""));
        }
    }

    /**
     * The next sample starts as a lone deployment does: the webapp deregistered and its shared
     * client's threads ({@code consul-servlet-*}) gone.
     */
    private void awaitGone(String serviceId) {
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
