package io.github.consulservlet;

import java.util.Optional;

/**
 * This webapp's instance in Consul, as the extension registers it: its identity and state,
 * maintenance, and the liveness probes its check follows. Get it from
 * {@link ConsulContext#registration()}. Safe for concurrent use.
 */
public interface Registration {

    /** Where the instance is in its life. */
    enum State {
        /** Waiting for the container to report the webapp started and its port. */
        STARTING,
        /** Being registered; retried with backoff while the agent cannot be reached or refuses. */
        REGISTERING,
        /** Registered; its check follows the webapp's liveness. */
        REGISTERED,
        /** Stopping: liveness answers 503, the instance is in maintenance while requests finish. */
        DRAINING,
        /** Deregistered (or given up to retries once the agent is back): the webapp is stopping. */
        DEREGISTERED
    }

    /** The Consul service name. */
    String serviceName();

    /** The instance ID; empty until the port is known (when the container reports the webapp started). */
    Optional<String> serviceId();

    /** The current state. */
    State state();

    /**
     * Puts the instance in maintenance: Consul leaves it out of discovery until
     * {@link #disableMaintenance()}. Returns at once; the agent is told in the background (a
     * failure is logged). Remembered: applied at registration when not registered yet, and
     * again if the agent forgets the instance and it is registered anew.
     */
    void enableMaintenance(String reason);

    /** Takes the instance out of maintenance, in the background; see {@link #enableMaintenance}. */
    void disableMaintenance();

    /**
     * Adds (or replaces) a liveness probe under {@code name}: the liveness endpoint and the check
     * follow it from now on, until it is removed or the webapp stops.
     */
    void addLivenessProbe(String name, LivenessProbe probe);

    /** Removes the liveness probe added under {@code name}, if any. */
    void removeLivenessProbe(String name);

    /** The webapp's liveness now: every probe asked, the worst answer wins; down while draining. */
    Liveness liveness();
}
