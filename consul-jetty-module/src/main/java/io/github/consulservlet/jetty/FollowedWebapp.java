package io.github.consulservlet.jetty;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ContextHandler;

import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.OncePerStart;
import io.github.consulservlet.spi.StartedGate;
import io.github.consulservlet.spi.WebappLifecycle;
import io.github.consulservlet.spi.WebappNames;

/**
 * One start of one webapp that consul-servlet follows: from its initializer's
 * {@link JettyContainerAdapter#follow} to {@link #detach()}. Counts the webapp's requests in
 * flight (each request once, from the moment it enters the context to the moment its exchange
 * completes) and reports the lifecycle to consul-servlet, each moment once: the start through
 * core's {@link StartedGate}, with the connector core's connector choice picks.
 */
final class FollowedWebapp implements ContainerAdapter.Binding {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulJettyListener.class.getName());

    private final ConsulJettyListener owner;
    private final ContextWatch watch;
    private final Set<Request> inFlight = ConcurrentHashMap.newKeySet();
    /** Reports the start once the context and the server have started, and the lifecycle is here. */
    private final StartedGate gate;
    private final OncePerStart stopped = new OncePerStart();
    private volatile WebappLifecycle lifecycle;
    private volatile boolean detached;

    FollowedWebapp(ConsulJettyListener owner, ContextWatch watch) {
        this.owner = owner;
        this.watch = watch;
        this.gate = new StartedGate(owner::serverStarted, this::report);
    }

    ContextHandler context() {
        return watch.context();
    }

    private String name() {
        return WebappNames.displayName(ConsulJettyListener.servletContextPath(context()));
    }

    // ---- ContainerAdapter.Binding (what consul-servlet asks)

    @Override
    public Map<String, String> settings() {
        return owner.settings();
    }

    @Override
    public String settingsOrigin() {
        return "Jetty property";
    }

    @Override
    public void attach(WebappLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        gate.attached();
    }

    @Override
    public int inFlightRequests() {
        return inFlight.size();
    }

    @Override
    public void detach() {
        detached = true;
        lifecycle = null;
        inFlight.clear();
        owner.forget(this);
        watch.unfollow(this);
    }

    /**
     * Whether this webapp is registered, or may be, or is draining: a server's stop waits for it
     * (a drain under way, a hot undeploy's, is joined, not started again).
     */
    boolean inConsul() {
        return lifecycle != null;
    }

    /** {@link #stopping()} on any thread (another environment's), with this environment's class loader. */
    void drain() {
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        thread.setContextClassLoader(FollowedWebapp.class.getClassLoader());
        try {
            stopping();
        } finally {
            thread.setContextClassLoader(own);
        }
    }

    // ---- what the container reports

    void entered(Request request) {
        if (detached || !inFlight.add(request)) {
            return;
        }
        try {
            Request.addCompletionListener(request, failure -> inFlight.remove(request));
        } catch (RuntimeException e) { // the exchange is over already
            inFlight.remove(request);
        }
    }

    void contextStarted() {
        gate.webappStarted();
    }

    void serverStarted() {
        gate.containerStarted();
    }

    /** The gate has opened: tells consul-servlet the port, or why there is none. */
    private void report() {
        WebappLifecycle current = lifecycle;
        if (current == null) {
            return; // let go of meanwhile
        }
        if (!context().isAvailable()) {
            LOG.log(System.Logger.Level.WARNING, "consul-servlet: " + name()
                    + " started unavailable (a servlet or listener failed): not registered in Consul");
            // Jetty may never tell its stop (a watch added during a redeploy's start does not
            // outlive it): nothing of this webapp may stay here
            stopped();
            return;
        }
        var endpoint = owner.endpoint(context());
        if (endpoint.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "consul-servlet: the server has no bound network connector: "
                    + name() + " not registered in Consul");
            return;
        }
        current.started(endpoint.get().host(), endpoint.get().port(), endpoint.get().kind() == io.github.consulservlet.spi.ConnectorChoice.Kind.TLS);
    }

    /** Drains and deregisters; returns once done, also to a second caller (consul-servlet makes it wait for the first). */
    void stopping() {
        WebappLifecycle current = lifecycle;
        if (current == null) {
            return;
        }
        try {
            current.stopping();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "consul-servlet: draining " + name() + " failed", e);
        }
    }

    void stopped() {
        WebappLifecycle current = lifecycle;
        if (current == null) {
            detach(); // consul-servlet never took the webapp on: nothing of it may stay here
        } else if (stopped.claim()) {
            current.stopped();
        }
    }

    @Override
    public String toString() {
        return "%s@%x{%s,%s,inFlight=%d}".formatted(getClass().getSimpleName(), hashCode(), name(), gate, inFlight.size());
    }
}
