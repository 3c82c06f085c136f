package io.github.consulservlet.internal.registration;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.Liveness;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/**
 * The heartbeat of a {@code ttl} check: every ttl/3 while registered, has the webapp's liveness
 * asked on the shared probe thread and reports the answer to the agent; reports critical when
 * the previous answer is late, and moves the other webapps' probes to a new thread. Made and
 * started by the {@link Registrar} after each registration; when the agent has lost the check, it
 * has the Registrar register again.
 */
final class TtlReporter {
    private final Instance instance;
    private final LivenessProbes probes;
    private final Registrar registrar;
    /** When the evaluation under way started (nanoTime), or 0 when none is. */
    private volatile long evaluating;
    private volatile ExecutorService evaluatingOn;

    TtlReporter(Instance instance, LivenessProbes probes, Registrar registrar) {
        this.instance = instance;
        this.probes = probes;
        this.registrar = registrar;
    }

    void start() {
        instance.tasks.schedule(this::tick, 0);
    }

    /** On a registrar thread: asks, or reports the answer under way as late. */
    private void tick() {
        if (!instance.state.get().isRegistered()) {
            return;
        }
        long since = evaluating;
        long period = instance.settings.checkTtl().toNanos() / 3;
        if (since != 0 && System.nanoTime() - since >= period) {
            report(Liveness.down("the liveness probes have not answered for "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms"));
            ExecutorService stuck = evaluatingOn;
            if (stuck != null) {
                evaluatingOn = null;
                instance.lease.replaceProbes(stuck); // the other webapps' probes go on elsewhere
            }
        } else if (since == 0 && !evaluateLater()) {
            return; // the shared client is closing
        } // else: the answer under way is not late yet
        if (instance.state.get().isRegistered()) {
            // not when the report found the check gone and registration is due
            instance.tasks.schedule(this::tick, instance.settings.checkTtl().toMillis() / 3);
        }
    }

    private boolean evaluateLater() {
        evaluating = System.nanoTime();
        try {
            ExecutorService probeThread = instance.lease.probes();
            evaluatingOn = probeThread;
            probeThread.execute(this::evaluateAndReport);
            return true;
        } catch (RejectedExecutionException e) {
            evaluating = 0;
            return false;
        }
    }

    /** On the probe thread: asks the probes, then has the answer reported, whatever happens. */
    private void evaluateAndReport() {
        Liveness now = Liveness.down("the liveness probes failed");
        try {
            now = probes.askAsTheWebapp();
        } finally {
            evaluating = 0;
            evaluatingOn = null;
            Liveness answer = now;
            instance.tasks.submit(() -> report(answer));
        }
    }

    private void report(Liveness liveness) {
        instance.agentCalls.lock();
        try {
            ServiceRegistration current = instance.sent();
            if (!instance.state.get().isRegistered()) {
                return;
            }
            try {
                instance.agent().updateCheck(AdvertisedAddress.checkId(current.id()), LivenessProbes.status(liveness),
                        liveness.toString());
                if (LivenessProbes.status(liveness) == CheckStatus.PASSING) {
                    instance.passed();
                }
            } catch (ConsulNotFoundException | ConsulServerException e) {
                // 404 when the agent lost the check; some versions answer 500 "does not have associated TTL"
                if (e instanceof ConsulNotFoundException || String.valueOf(e.consulMessage()).contains("does not have associated TTL")) {
                    registrar.registerAgain(() -> RegistrationLog.checkForgotten(current.id()));
                } else {
                    RegistrationLog.ttlReportFailed(current.id(), e);
                }
            } catch (ConsulException e) {
                RegistrationLog.ttlReportFailed(current.id(), e);
            }
        } finally {
            instance.agentCalls.unlock();
        }
    }
}
