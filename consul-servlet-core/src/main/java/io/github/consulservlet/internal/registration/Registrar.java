package io.github.consulservlet.internal.registration;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.internal.client.Backoff;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;

/**
 * Registers one webapp's instance, on the registrar thread, and retries with backoff until the
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
    // registrar thread only
    private int failures;

    Registrar(Instance instance, boolean hasAdapter, LivenessProbes probes, MaintenanceSync maintenance,
            Deregistration deregistration) {
        this.instance = instance;
        this.hasAdapter = hasAdapter;
        this.probes = probes;
        this.maintenance = maintenance;
        this.deregistration = deregistration;
        this.ttl = instance.settings.checkMode() == CheckMode.TTL ? new TtlReporter(instance, probes, this) : null;
    }

    /** The first registration, as soon as the registrar thread is free. */
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
                return;
            }
            current = describe();
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
        Backoff backoff = unreachable ? Backoff.REGISTER_UNREACHABLE : Backoff.REGISTRAR_DEFAULT;
        RegistrationLog.registerFailed(failures, instance.webapp(), current.id(), e);
        instance.tasks.schedule(this::register, backoff.delayMillis(failures));
    }

    private ServiceRegistration describe() {
        boolean everRegistered = instance.state.get().everRegistered();
        CheckStatus initial = !hasAdapter && !everRegistered ? CheckStatus.CRITICAL : probes.lastStatus();
        return RegistrationRequest.of(instance.settings, address, everRegistered, initial);
    }
}
