package io.github.consulservlet.spi;

import java.util.function.BooleanSupplier;

/**
 * Opens once, when a webapp may be registered: its lifecycle has been handed to the adapter
 * ({@link ContainerAdapter.Binding#attach}), the webapp has started and the container routes to
 * it, and the container has started, so that its connectors are bound and their ports known.
 * The three arrive in any order, on any thread; whichever comes last runs the action, once. A
 * container adapter keeps one gate for each start of each webapp it follows and tells it these
 * moments; the action reports {@link WebappLifecycle#started} with the connector
 * {@link ConnectorChoice} picks.
 *
 * <p>Containers start their webapps before their connectors (Tomcat starts the Engine before the
 * Connectors, Jetty opens the connectors after the handlers): a webapp deployed with the
 * container waits for the container's start, one deployed later opens the gate as it starts.
 */
public final class StartedGate {
    private final BooleanSupplier containerStarted;
    private final Runnable open;
    private boolean attached;
    private boolean webappStarted;
    private boolean containerSaidStarted;
    private boolean opened;

    /**
     * @param containerStarted asked when the webapp's moments arrive: whether the container has
     *     started already (its own start event may have come before this gate existed)
     * @param open what to run once the gate opens
     */
    public StartedGate(BooleanSupplier containerStarted, Runnable open) {
        this.containerStarted = containerStarted;
        this.open = open;
    }

    /** The adapter has been handed the webapp's lifecycle. */
    public void attached() {
        boolean now;
        synchronized (this) {
            attached = true;
            now = shouldOpen();
        }
        runIf(now);
    }

    /** The webapp has started and the container routes requests to it. */
    public void webappStarted() {
        boolean now;
        synchronized (this) {
            webappStarted = true;
            now = shouldOpen();
        }
        runIf(now);
    }

    /** The container has started: its connectors are bound. */
    public void containerStarted() {
        boolean now;
        synchronized (this) {
            containerSaidStarted = true;
            now = shouldOpen();
        }
        runIf(now);
    }

    /** Whether the gate has opened. */
    public synchronized boolean isOpen() {
        return opened;
    }

    /** Called with the lock held: true once, for the moment that completes the three. */
    private boolean shouldOpen() {
        if (opened || !attached || !webappStarted || !(containerSaidStarted || containerStarted.getAsBoolean())) {
            return false;
        }
        opened = true;
        return true;
    }

    private void runIf(boolean now) {
        if (now) {
            open.run(); // outside the lock: registration may log, and the container's threads wait on nothing here
        }
    }

    @Override
    public synchronized String toString() {
        return "StartedGate{attached=" + attached + ",webappStarted=" + webappStarted + ",opened=" + opened + "}";
    }
}
