package io.github.consulservlet.internal.registration;

import java.util.concurrent.locks.ReentrantLock;

import io.github.consulservlet.internal.client.agent.Agent;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.config.ConsulSettings;
import io.github.consulservlet.spi.WebappNames;

/**
 * What every part of one webapp's registration shares: its settings, its lease on the shared
 * client, its {@link RegistrationState}, its tasks on the registrar threads, the registration
 * last sent to the agent, and {@link #agentCalls}. Made by {@link WebappRegistration}, which
 * hands it to the {@link Registrar}, {@link TtlReporter}, {@link MaintenanceSync} and
 * {@link Deregistration}.
 *
 * <p>Calls to the agent run on the shared registrar threads (registration, retries, TTL reports,
 * maintenance the webapp asks for) or on the container's stopping thread (the drain), one at a
 * time under {@link #agentCalls}, so that a registration being retried can never land after the
 * deregistration. That lock is held only around calls to the agent: never while a liveness
 * probe runs and never by the webapp's own threads, which only record what they want.
 */
final class Instance {
    final String contextPath;
    final ConsulSettings settings;
    final ClientPool.Lease lease;
    /** What the pool's owners of service IDs and anti-entropy loop know this instance by. */
    final WebappRegistration owner;
    final RegistrationState.Cell state = new RegistrationState.Cell();
    final ReentrantLock agentCalls = new ReentrantLock();
    final RegistrarTasks tasks;
    private volatile ServiceRegistration sent;
    private final java.util.concurrent.atomic.AtomicBoolean passingLogged = new java.util.concurrent.atomic.AtomicBoolean();

    Instance(String contextPath, ConsulSettings settings, ClientPool.Lease lease, WebappRegistration owner) {
        this.contextPath = contextPath;
        this.settings = settings;
        this.lease = lease;
        this.owner = owner;
        this.tasks = new RegistrarTasks(webapp(), lease, () -> state.get().stopping());
    }

    /** The webapp as log lines name it. */
    String webapp() {
        return WebappNames.displayName(contextPath);
    }

    Agent agent() {
        return scoped(lease.client().agent(), settings);
    }

    /** {@code agent} in the webapp's namespace and partition ({@code consul.namespace}, {@code consul.partition}). */
    static Agent scoped(Agent agent, ConsulSettings settings) {
        return agent.in(settings.options().namespace().orElse(null), settings.options().partition().orElse(null));
    }

    /** The registration last sent to the agent, or null before the first attempt. */
    ServiceRegistration sent() {
        return sent;
    }

    void sent(ServiceRegistration registration) {
        sent = registration;
    }

    /** The check passed (a probe answered UP, or a TTL report passed): logged once, the first time while registered. */
    void passed() {
        ServiceRegistration current = sent;
        if (current != null && state.get().isRegistered() && passingLogged.compareAndSet(false, true)) {
            RegistrationLog.passing(current.id(), webapp());
        }
    }

    /** Whether this instance may still deregister {@code serviceId}: no newer instance took it. */
    boolean owns(String serviceId) {
        return lease.owns(serviceId, owner);
    }
}
