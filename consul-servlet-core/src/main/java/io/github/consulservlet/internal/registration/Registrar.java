package io.github.consulservlet.internal.registration;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.internal.client.Backoff;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;

/**
 * Registers one webapp's instance, on a registrar thread, and retries with backoff until the
 * agent accepts it or the webapp stops; then joins the pool's anti-entropy loop and, for
 * {@code ttl} checks, starts the {@link TtlReporter}. Owned by {@link WebappRegistration}, which
 * starts it when the container reports the webapp started and has it register again when the
 * agent forgot the instance.
 */
final class Registrar {
    private final Instance instance;
    private final boolean hasAdapter;
    private final LivenessProbes probes;
    private final MaintenanceSync maintenance;
    private final Deregistration deregistration;
    private final TtlReporter ttl;
    private volatile AdvertisedAddress address;
    // one registration of this webapp runs at a time: each next step replaces the one before
    private volatile int failures;

    Registrar(Instance instance, boolean hasAdapter, LivenessProbes probes, MaintenanceSync maintenance,
            Deregistration deregistration) {
        this.instance = instance;
        this.hasAdapter = hasAdapter;
        this.probes = probes;
        this.maintenance = maintenance;
        this.deregistration = deregistration;
        this.ttl = instance.settings.checkMode() == CheckMode.TTL ? new TtlReporter(instance, probes, this) : null;
    }

    /** The first registration, as soon as a registrar thread is free. */
    void start(AdvertisedAddress advertised) {
        this.address = advertised;
        instance.tasks.schedule(this::register, 0);
    }

    /** When the instance is registered: runs {@code announce} and registers it again. */
    void registerAgain(Runnable announce) {
        if (instance.state.advance(RegistrationState::registerAgain)) {
            announce.run();
            instance.tasks.schedule(this::register, 0);
        }
    }

    /** The agent is back after failing: try now rather than at this webapp's turn. */
    void hurry() {
        instance.tasks.schedule(this::register, 0);
    }

    /**
     * A task that throws on a scheduled executor is dropped without a word, so everything is
     * caught here: a failure that is not the agent's (a bug, a setting no one checked) is logged
     * once at ERROR, in one line, and retried with the same backoff as a refusal.
     */
    private void register() {
        try {
            registerOnce();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failures++;
            RegistrationLog.registerBroke(failures, instance.webapp(), e);
            instance.tasks.schedule(this::register, Backoff.REGISTRAR_DEFAULT.delayMillis(failures));
        }
    }

    private void registerOnce() {
        ServiceRegistration current;
        int attempts = failures;
        boolean first;
        instance.agentCalls.lock();
        try {
            if (instance.state.get().stopping()) {
                instance.lease.gate().forget(this);
                return;
            }
            long turn = instance.lease.gate().admit(this);
            if (turn > 0) {
                instance.tasks.schedule(this::register, turn); // the agent fails: wait for this webapp's turn
                if (!instance.lease.gate().waits(this)) {
                    hurry(); // the agent recovered between the turn and its scheduling, whose hurry that replaced
                }
                return;
            }
            InstanceMarker marker = InstanceMarker.of(address.port());
            sweepOrphans(marker);
            if (instance.state.get().stopping()) { // the sweep's calls took a while: no registration to undo
                instance.lease.gate().forget(this);
                return;
            }
            current = describe(marker);
            instance.sent(current);
            try {
                instance.agent().register(current);
                maintenance.sync(current);
            } catch (ConsulException | IllegalArgumentException e) {
                retry(current, e);
                return;
            }
            first = !instance.state.get().everRegistered();
            if (!instance.state.advance(RegistrationState::registered)) {
                // a stop that could not wait for this call has deregistered already: undo it
                if (instance.owns(current.id())) {
                    deregistration.deregister(current.id());
                }
                return;
            }
            failures = 0;
            instance.lease.gate().succeeded();
            instance.lease.watchOver(instance.owner);
        } finally {
            instance.agentCalls.unlock();
        }
        RegistrationLog.registered(first, instance.webapp(), current, instance.settings.checkMode(), attempts);
        if (ttl != null) {
            ttl.start();
        }
    }

    private void retry(ServiceRegistration current, RuntimeException e) {
        failures++;
        boolean unreachable = e instanceof ConsulUnreachableException || e instanceof ConsulServerException;
        RegistrationLog.registerFailed(failures, instance.webapp(), current.id(), instance.settings, e);
        if (unreachable) {
            // the agent's trouble, not this webapp's: the client's one backoff spaces the retries
            instance.lease.gate().failed();
            instance.tasks.schedule(this::register, 0);
        } else {
            instance.tasks.schedule(this::register, Backoff.REGISTRAR_DEFAULT.delayMillis(failures));
        }
    }

    private ServiceRegistration describe(InstanceMarker marker) {
        boolean everRegistered = instance.state.get().everRegistered();
        CheckStatus initial = everRegistered ? probes.lastStatus() : initialStatus();
        return RegistrationRequest.of(instance.settings, address, everRegistered, initial, marker);
    }

    /** Before the first result: critical without an adapter, else what the setting says. */
    private CheckStatus initialStatus() {
        if (!hasAdapter) {
            return CheckStatus.CRITICAL;
        }
        return switch (instance.settings.initialStatus()) {
            case CRITICAL -> CheckStatus.CRITICAL;
            case WARNING -> CheckStatus.WARNING;
            case PASSING -> CheckStatus.PASSING;
        };
    }

    /** Once per container and agent, before its first registration there; tried again if the agent failed. */
    private void sweepOrphans(InstanceMarker marker) {
        if (!instance.lease.startSweep(marker.container())) {
            return;
        }
        try {
            OrphanSweep.sweep(instance.agent(), marker, instance.lease::claimed);
        } catch (ConsulException e) {
            instance.lease.sweepFailed(marker.container());
            RegistrationLog.orphanSweepFailed(e);
        }
    }
}
