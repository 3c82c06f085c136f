package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.Locale;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.config.ConsulSettings;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * Every line the registration of webapps logs, with its level, in one place: what a user reads
 * in the container's log. The registration's parts and the {@link ClientPool}'s call one method
 * per event and hold no text of their own. What an agent answered goes through
 * {@link LogText#remote}, so that it cannot forge lines.
 */
final class RegistrationLog {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulServletInitializer.class.getName());
    private static final System.Logger.Level ERROR = System.Logger.Level.ERROR;
    private static final System.Logger.Level WARNING = System.Logger.Level.WARNING;
    private static final System.Logger.Level INFO = System.Logger.Level.INFO;
    private static final System.Logger.Level DEBUG = System.Logger.Level.DEBUG;

    private RegistrationLog() {
    }

    /**
     * A line of an instance's lifecycle (registered, passing, draining, deregistered,
     * re-registered, orphan removed), the same on every container. While the JVM shuts down,
     * {@code java.util.logging} may have been reset already (Jetty stops its webapps from a
     * shutdown hook, beside the log manager's own): the line then goes to standard error, so
     * that the deregistration is not lost.
     */
    private static void lifecycle(String line) {
        LOG.log(INFO, line);
        if (LOG.isLoggable(INFO) && loggingShutDown()) {
            System.err.println(java.time.Instant.now() + " INFO " + LOG.getName() + ": " + line);
        }
    }

    private static boolean loggingShutDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shuttingDown) {
            java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
            return root == null || root.getHandlers().length == 0;
        } catch (SecurityException e) {
            return false;
        }
    }

    // ---- registering

    static void notRegistered(String webapp, IllegalStateException e) {
        LOG.log(ERROR, "consul-servlet: " + webapp + " is not registered: " + e.getMessage());
    }

    static void registered(boolean first, String webapp, ServiceRegistration current, CheckMode mode, int attempts) {
        if (first) {
            lifecycle("registered " + webapp + " in Consul as " + current.id() + " (service " + current.name()
                    + ", port " + current.port() + ", check " + mode.name().toLowerCase(Locale.ROOT)
                    + (attempts > 0 ? ", after " + attempts + " failed attempts" : "") + ")");
        } else {
            lifecycle("re-registered " + webapp + " in Consul as " + current.id());
        }
    }

    static void passing(String id, String webapp) {
        lifecycle("passing: " + id + " (" + webapp + ") answered its first passing probe");
    }

    /** The agent could not be reached or refused: a WARNING the first time, then DEBUG. */
    static void registerFailed(int failures, String webapp, String id, ConsulSettings settings, RuntimeException e) {
        if (failures == 1) {
            LOG.log(WARNING, "could not register " + webapp + " as " + id + " at " + agent(settings)
                    + "; the webapp runs and registration is retried in the background: " + LogText.remote(e.getMessage()));
        } else {
            LOG.log(DEBUG, () -> "registering " + id + " failed again (" + failures + "): " + LogText.remote(e.getMessage()));
        }
    }

    /** A failure that is not the agent's (a bug, a setting no one checked): ERROR the first time, then DEBUG. */
    static void registerBroke(int failures, String webapp, Throwable e) {
        if (failures == 1) {
            LOG.log(ERROR, "could not register " + webapp + " in Consul; the webapp runs and"
                    + " registration is retried in the background: " + e.getClass().getName() + ": "
                    + LogText.remote(e.getMessage()));
        } else {
            LOG.log(DEBUG, () -> "registering " + webapp + " failed again (" + failures + "): "
                    + LogText.remote(String.valueOf(e)));
        }
    }

    static void orphanRemoved(String id, String instance) {
        lifecycle("orphan removed: " + id + " from Consul, left by an earlier run of this container (instance "
                + LogText.remote(instance) + ")");
    }

    static void orphanSweepFailed(ConsulException e) {
        LOG.log(DEBUG, () -> "could not look for orphans; trying again with the next registration: "
                + LogText.remote(e.getMessage()));
    }

    static void agentForgot(String id) {
        LOG.log(INFO, "the agent no longer knows " + id + "; registering it again");
    }

    static void checkForgotten(String id) {
        LOG.log(INFO, "the agent no longer knows the check of " + id + "; registering it again");
    }

    static void ttlReportFailed(String id, ConsulException e) {
        LOG.log(DEBUG, () -> "TTL report of " + id + " failed: " + LogText.remote(e.getMessage()));
    }

    static void maintenanceFailed(boolean first, String id, ConsulException e) {
        LOG.log(first ? WARNING : DEBUG, "could not change maintenance of " + id + "; retrying: " + LogText.remote(e.getMessage()));
    }

    static void taskFailed(boolean first, String webapp, Throwable e) {
        LOG.log(first ? ERROR : DEBUG, "consul-servlet task for " + webapp + " failed: " + e.getClass().getName() + ": "
                + LogText.remote(e.getMessage()));
    }

    // ---- leaving

    static void leftToNewerInstance(String id, String webapp) {
        LOG.log(INFO, id + " is held by a newer instance now; " + webapp + " leaves it registered");
    }

    static void draining(String id, String webapp, Duration drain) {
        lifecycle("draining " + webapp + " (" + id + "): in maintenance in Consul for up to " + drain.toMillis()
                + " ms while its requests finish");
    }

    static void lockReleaseAbandoned(String webapp, Duration waited) {
        LOG.log(WARNING, "the agent did not confirm within " + waited.toMillis() + " ms that the locks of " + webapp
                + " are released; deregistering without waiting for it (each lock stays its session's until then)");
    }

    static void maintenanceAbandoned(String id, Duration waited) {
        LOG.log(WARNING, "the agent did not answer within " + waited.toMillis() + " ms when " + id
                + " went into maintenance; draining without waiting for it");
    }

    static void deregistrationAbandoned(String id, String webapp, Duration waited, java.util.Optional<Duration> after) {
        LOG.log(WARNING, "the agent did not answer within " + waited.toMillis() + " ms when " + id + " (" + webapp
                + ") was deregistered; stopping without waiting for it: "
                + after.map(d -> "the agent's DeregisterCriticalServiceAfter (" + d.toMinutes()
                        + "m) removes it once its check is critical")
                        .orElse("remove it by hand, since consul.check.deregister-after is off"));
    }

    static void drainMaintenanceFailed(String id, ConsulException e) {
        LOG.log(DEBUG, () -> "maintenance for " + id + " failed: " + LogText.remote(e.getMessage()));
    }

    static void stopWithoutWaiting(String webapp, Duration waited) {
        LOG.log(DEBUG, () -> "a call to the agent for " + webapp + " is still under way after "
                + waited.toMillis() + " ms; stopping without waiting for it");
    }

    static void stillInFlight(String webapp, int left, Duration drain) {
        LOG.log(INFO, webapp + " still had " + left + " requests in flight after consul.drain ("
                + drain.toMillis() + " ms)");
    }

    static void deregistered(String id, String webapp) {
        lifecycle("deregistered " + id + " (" + webapp + ") from Consul");
    }

    static void wasNotRegistered(String id) {
        LOG.log(DEBUG, () -> id + " was not registered");
    }

    /** The agent and where its address came from, so that a wrong address is found where it was set. */
    private static String agent(ConsulSettings settings) {
        return settings.agents() + " (consul.agent from " + settings.agentsOrigin() + ")";
    }

    static void deregisterFailed(String id, String webapp, ConsulException e) {
        LOG.log(WARNING, "could not deregister " + id + " (" + webapp
                + "); retrying in the background: " + LogText.remote(e.getMessage()));
    }

    // ---- the pool's background work

    static void deregisteredAfterRetries(String id, int attempts) {
        LOG.log(INFO, "deregistered " + id + " from Consul after " + attempts + " retries");
    }

    static void deregistrationRefused(String id, ConsulException e) {
        LOG.log(WARNING, "gave up deregistering " + id + ": the agent refuses ("
                + LogText.remote(e.getMessage()) + "); deregister it by hand, or let consul.check.deregister-after do it");
    }

    static void deregistrationFailedAgain(String id, ConsulException e) {
        LOG.log(DEBUG, () -> "deregistering " + id + " failed again: " + LogText.remote(e.getMessage()));
    }

    static void antiEntropyFailed(Object agents, ConsulException e) {
        LOG.log(DEBUG, () -> "anti-entropy check of " + agents + " failed: " + LogText.remote(e.getMessage()));
    }

    static void probeStuck() {
        LOG.log(WARNING, "a liveness probe has not returned; asking the others on a new thread");
    }

    static void releasingAbandoned() {
        LOG.log(DEBUG, "releasing what a webapp that never stopped cleanly held");
    }
}
