package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.spi.ContainerAdapter;

/**
 * One webapp leaving Consul, on the container's stopping thread: maintenance (so that clients
 * stop picking it), then up to {@code consul.drain} for the requests in flight, then the
 * deregistration, retried in the background by the pool when the agent fails. The calls to the
 * agent are waited for {@link StopCalls#BUDGET} in all, so that a slow agent cannot hold up
 * the container's stop. An ID a newer
 * instance took meanwhile (a redeploy) is left registered. Owned by {@link WebappRegistration},
 * whose {@code stopping()} runs it; the {@link Registrar} calls {@link #deregister} to undo a
 * registration that landed after a stop that could not wait for it.
 */
final class Deregistration {
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    private final Instance instance;
    private final ContainerAdapter.Binding binding;
    private final CountDownLatch done = new CountDownLatch(1);
    private long began; // the stopping thread's, when the stop began

    Deregistration(Instance instance, ContainerAdapter.Binding binding) {
        this.instance = instance;
        this.binding = binding;
    }

    /** Runs once; a second caller, too, returns only once the webapp is out of Consul. */
    void run() {
        if (!instance.state.advance(RegistrationState::stop)) {
            awaitDone();
            return;
        }
        try {
            leave();
        } finally {
            done.countDown();
        }
    }

    private void awaitDone() {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void leave() {
        began = System.nanoTime();
        instance.tasks.cancel();
        instance.lease.forget(instance.owner);
        if (!instance.state.advance(RegistrationState::drain)) {
            return; // never started: nothing was registered
        }
        boolean locked = lockForStop();
        try {
            ServiceRegistration current = instance.sent();
            if (current != null) { // else the first registration never ran
                locked = leave(current.id(), locked);
            }
        } finally {
            if (locked) {
                instance.agentCalls.unlock();
            }
            instance.lease.forget(instance.owner); // again: a registration that held the lock may have joined the anti-entropy loop meanwhile
            ServiceRegistration current = instance.sent();
            if (current != null) {
                instance.lease.disown(current.id(), instance.owner);
            }
            instance.state.advance(RegistrationState::deregistered);
        }
    }

    /** Maintenance, drain, deregistration of {@code id}; answers whether agentCalls is still held. */
    private boolean leave(String id, boolean locked) {
        if (!instance.owns(id)) {
            RegistrationLog.leftToNewerInstance(id, instance.webapp());
            unlock(locked);
            drain(); // a redeploy's successor took the ID: this one's requests in flight still finish first
            return false;
        }
        if (instance.state.get().everRegistered() && instance.owns(id)) {
            RegistrationLog.draining(id, instance.webapp(), binding == null ? Duration.ZERO : instance.settings.drain());
            boolean inTime = instance.lease.stopCalls().runUntilOrDrop(() -> {
                try {
                    instance.agent().enableMaintenance(id, "draining: " + instance.webapp() + " is stopping");
                } catch (ConsulException e) {
                    RegistrationLog.drainMaintenanceFailed(id, e);
                }
            }, began + StopCalls.BUDGET.dividedBy(2).toNanos());
            if (!inTime) {
                RegistrationLog.maintenanceAbandoned(id, StopCalls.BUDGET.dividedBy(2));
            }
            unlock(locked); // nothing else may call the agent for this webapp now: it is draining
            locked = false;
            drain();
        }
        if (instance.owns(id)) { // again: a newer instance may have taken the ID while this one drained
            instance.lease.disown(id, instance.owner);
            long deadline = System.nanoTime() + StopCalls.BUDGET.dividedBy(2).toNanos();
            if (!instance.lease.stopCalls().runUntil(() -> deregister(id), deadline)) {
                RegistrationLog.deregistrationAbandoned(id, instance.webapp(), StopCalls.BUDGET.dividedBy(2),
                        instance.settings.deregisterAfter());
            }
        }
        return locked;
    }

    private void unlock(boolean locked) {
        if (locked) {
            instance.agentCalls.unlock();
        }
    }

    /**
     * Waits for a registration call under way, up to half the stop's budget: one that lands
     * later sees the stop and undoes itself.
     */
    private boolean lockForStop() {
        try {
            Duration wait = StopCalls.BUDGET.dividedBy(2);
            if (instance.agentCalls.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            RegistrationLog.stopWithoutWaiting(instance.webapp(), wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Deregisters {@code id}, or has the pool retry it in the background. */
    void deregister(String id) {
        try {
            instance.agent().deregister(id);
            RegistrationLog.deregistered(id, instance.webapp());
        } catch (ConsulNotFoundException e) {
            RegistrationLog.wasNotRegistered(id);
        } catch (ConsulException e) {
            RegistrationLog.deregisterFailed(id, instance.webapp(), e);
            instance.lease.retryDeregistration(id, instance.owner);
        }
    }

    /** Waits up to {@code consul.drain} for the requests the container reports in flight. */
    private void drain() {
        if (binding == null) {
            return; // without an adapter the container has stopped routing requests already
        }
        long deadline = System.nanoTime() + instance.settings.drain().toNanos();
        try {
            while (binding.inFlightRequests() > 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(DRAIN_POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = binding.inFlightRequests();
        if (left > 0) {
            RegistrationLog.stillInFlight(instance.webapp(), left, instance.settings.drain());
        }
    }
}
