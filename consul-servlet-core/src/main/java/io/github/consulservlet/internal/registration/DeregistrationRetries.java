package io.github.consulservlet.internal.registration;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.ConsulPermissionException;
import io.github.consulservlet.ConsulRequestException;
import io.github.consulservlet.internal.client.Backoff;
import io.github.consulservlet.internal.client.agent.Agent;

/**
 * The deregistrations that failed while their webapp stopped, retried in the background with
 * backoff, each keeping its client alive with a lease of its own, until the agent accepts it, a
 * new instance registers the same ID, or the JVM exits; given up on a refusal (4xx), which no
 * retry would change. Owned by the {@link ClientPool}; a {@link Deregistration} starts one
 * through its webapp's lease, and a new owner of the ID cancels it.
 */
final class DeregistrationRetries {
    private final ServiceIdOwners owners;
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();

    DeregistrationRetries(ServiceIdOwners owners) {
        this.owners = owners;
    }

    /**
     * Retries deregistering {@code serviceId} (at {@code key}) with {@code lease}, which the
     * retry releases when done; not if {@code stillOurs} says a newer instance took the ID.
     */
    void start(ClientPool.Lease lease, String serviceId, String key, UnaryOperator<Agent> scope, BooleanSupplier stillOurs) {
        Retry retry = new Retry(lease, serviceId, key, scope);
        Retry previous = retries.put(key, retry);
        if (previous != null) {
            previous.stop();
        }
        if (!stillOurs.getAsBoolean()) { // a newer instance took the ID meanwhile
            retries.remove(key, retry);
            retry.stop();
            return;
        }
        retry.schedule();
    }

    /** A new instance holds the ID at {@code key}: no retry deregisters it. */
    void cancel(String key) {
        Retry retry = retries.remove(key);
        if (retry != null) {
            retry.stop();
        }
    }

    private final class Retry {
        private final ClientPool.Lease lease;
        private final String serviceId;
        private final String key;
        private final UnaryOperator<Agent> scope;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private volatile ScheduledFuture<?> next;
        private int attempts;

        Retry(ClientPool.Lease lease, String serviceId, String key, UnaryOperator<Agent> scope) {
            this.lease = lease;
            this.scope = scope;
            this.serviceId = serviceId;
            this.key = key;
        }

        void schedule() {
            attempts++;
            try {
                next = lease.registrar().schedule(this::attempt, Backoff.REGISTRAR_DEFAULT.delayMillis(attempts),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                stop();
            }
            if (stopped.get() && next != null) {
                next.cancel(false);
            }
        }

        void stop() {
            if (stopped.compareAndSet(false, true)) {
                ScheduledFuture<?> pending = next;
                if (pending != null) {
                    pending.cancel(false);
                }
                lease.release();
            }
        }

        private void attempt() {
            if (stopped.get()) {
                return;
            }
            if (owners.held(key)) { // a live instance holds the ID now
                done();
                return;
            }
            try {
                scope.apply(lease.client().agent()).deregister(serviceId);
                RegistrationLog.deregisteredAfterRetries(serviceId, attempts);
                done();
            } catch (ConsulNotFoundException e) {
                done(); // gone already
            } catch (ConsulPermissionException | ConsulRequestException e) {
                if (e.status() == 429) { // too many requests: later
                    schedule();
                    return;
                }
                RegistrationLog.deregistrationRefused(serviceId, e);
                done();
            } catch (ConsulException e) {
                RegistrationLog.deregistrationFailedAgain(serviceId, e);
                if (!stopped.get()) {
                    schedule();
                }
            }
        }

        private void done() {
            retries.remove(key, this);
            stop();
        }
    }
}
