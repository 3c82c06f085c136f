package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.github.consulservlet.Liveness;
import io.github.consulservlet.LivenessProbe;
import io.github.consulservlet.Registration;
import io.github.consulservlet.internal.config.ConsulSettings;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;
import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.WebappLifecycle;

/**
 * One webapp's instance in Consul, from the moment its container reports it started to the
 * moment it is deregistered: the {@link Registration} the webapp sees and the
 * {@link WebappLifecycle} its container adapter drives. It only coordinates; the work is done by
 * its parts, which share one {@link Instance} (settings, lease, {@link RegistrationState}):
 * <ul>
 * <li>{@link AdvertisedAddress}: the address, port and service ID, once the port is known;
 * <li>{@link Registrar}: registration with retries, and through it the {@link TtlReporter};
 * <li>{@link MaintenanceSync}: the maintenance the webapp asks for;
 * <li>{@link LivenessProbes}: the webapp's probes and their worst answer;
 * <li>{@link Deregistration}: drain, maintenance, deregistration when the webapp stops.
 * </ul>
 * Made by {@link ConsulServletInitializer} for each webapp; the {@link ClientPool}'s anti-entropy
 * loop calls {@link #agentForgot()}.
 */
final class WebappRegistration implements Registration, WebappLifecycle {
    private static final Duration NO_CHECK_ANTI_ENTROPY = Duration.ofSeconds(10);

    private final Instance instance;
    private final ContainerAdapter.Binding binding;
    private final LivenessProbes probes;
    private final MaintenanceSync maintenance;
    private final Deregistration deregistration;
    private final Registrar registrar;
    /** Set once the service ID is claimed and held: from then on {@link #serviceId()} answers it. */
    private volatile AdvertisedAddress advertised;
    private volatile Runnable onStopped = () -> { };
    private volatile Runnable beforeDeregistration = () -> { };

    WebappRegistration(String contextPath, ConsulSettings settings, ClientPool.Lease lease,
            ContainerAdapter.Binding binding, ClassLoader webappLoader) {
        this.instance = new Instance(contextPath, settings, lease, this);
        this.binding = binding;
        this.probes = new LivenessProbes(webappLoader, () -> instance.state.get().stopping());
        this.maintenance = new MaintenanceSync(instance);
        this.deregistration = new Deregistration(instance, binding);
        this.registrar = new Registrar(instance, binding != null, probes, maintenance, deregistration);
    }

    ClientPool.Lease lease() {
        return instance.lease;
    }

    /**
     * What {@link #stopping()} runs before deregistering: releasing the webapp's locks, so that a
     * webapp that is going hands its leadership over before it leaves the catalog.
     */
    void beforeDeregistration(Runnable releaseLocks) {
        this.beforeDeregistration = releaseLocks;
    }

    /** What {@link #stopped()} runs: closing the webapp's whole context. */
    void onStopped(Runnable close) {
        this.onStopped = close;
    }

    // ---- Registration (what the webapp sees)

    @Override
    public String serviceName() {
        return instance.settings.serviceName();
    }

    @Override
    public Optional<String> serviceId() {
        AdvertisedAddress address = advertised;
        return address != null ? Optional.of(address.serviceId()) : instance.settings.serviceId();
    }

    @Override
    public State state() {
        return instance.state.get().phase();
    }

    @Override
    public void enableMaintenance(String reason) {
        maintenance.want(Objects.requireNonNull(reason, "reason"));
    }

    @Override
    public void disableMaintenance() {
        maintenance.want(null);
    }

    @Override
    public void addLivenessProbe(String name, LivenessProbe probe) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a liveness probe needs a name");
        }
        Objects.requireNonNull(probe, "probe");
        if (instance.state.get().stopping()) {
            throw new IllegalStateException("the webapp " + instance.webapp() + " is stopping: no more liveness probes");
        }
        probes.add(name, probe);
    }

    @Override
    public void removeLivenessProbe(String name) {
        probes.remove(name);
    }

    /** Counts the probes added and removed: a cached answer of other probes is stale. */
    long probesChanged() {
        return probes.changes();
    }

    /** Whether the webapp is stopping: its liveness is DOWN from now on. */
    /** The liveness endpoint answered UP to a probe. */
    void answeredUp() {
        instance.passed();
    }

    boolean draining() {
        return instance.state.get().stopping();
    }

    @Override
    public Liveness liveness() {
        return probes.ask();
    }

    /** {@code agent} in this webapp's Enterprise namespace and partition, if it has them. */
    io.github.consulservlet.internal.client.agent.Agent scoped(io.github.consulservlet.internal.client.agent.Agent agent) {
        return Instance.scoped(agent, instance.settings);
    }

    // ---- WebappLifecycle (what the container reports)

    @Override
    public void started(String host, int port, boolean tls) {
        if (!instance.state.advance(RegistrationState::start)) {
            return;
        }
        AdvertisedAddress address = new AdvertisedAddress(instance.contextPath, instance.settings, host, port, tls);
        String id = address.serviceId();
        if (binding != null) {
            probes.askAsTheWebapp(); // the check starts as the webapp is now
        }
        try {
            instance.lease.claim(id, instance.contextPath); // a default ID another webapp of the same name and port holds: not ours to take
        } catch (IllegalStateException e) {
            RegistrationLog.notRegistered(instance.webapp(), e);
            return;
        }
        advertised = address;
        instance.lease.own(id, this); // from now on, an older instance with this ID leaves it alone
        if (!instance.state.advance(RegistrationState::registering)) {
            instance.lease.disown(id, this); // stopping meanwhile: nothing was registered
            advertised = null;
            return;
        }
        registrar.start(address);
    }

    @Override
    public void stopping() {
        try {
            releaseLocks();
        } finally {
            deregistration.run();
        }
    }

    /**
     * Lets go of the webapp's locks first, waiting for the agent {@link StopCalls#LOCKS_BUDGET} at
     * most: a lock still being released then goes on in the background, held by its session until
     * then, so no one else takes it early, and the stop is not held up.
     */
    private void releaseLocks() {
        long deadline = System.nanoTime() + StopCalls.LOCKS_BUDGET.toNanos();
        if (!instance.lease.stopCalls().runUntil(beforeDeregistration, deadline)) {
            RegistrationLog.lockReleaseAbandoned(instance.webapp(), StopCalls.LOCKS_BUDGET);
        }
    }

    @Override
    public void stopped() {
        onStopped.run();
    }

    /** Out of Consul if not already, then nothing of this webapp stays referenced. Idempotent. */
    void close() {
        stopping();
        if (instance.state.advance(RegistrationState::close)) {
            instance.tasks.cancel();
            probes.clear();
            if (instance.settings.checkMode() == CheckMode.TTL) {
                instance.lease.renewProbes(); // thread locals the webapp's probes set on that thread go with it
            }
            onStopped = () -> { };
            instance.lease.release();
        }
    }

    // ---- what the pool's anti-entropy loop asks

    /** How often the anti-entropy loop should look for this instance: once per check interval. */
    Duration antiEntropyPeriod() {
        return switch (instance.settings.checkMode()) {
            case HTTP -> instance.settings.checkInterval();
            case TTL -> instance.settings.checkTtl();
            case NONE -> NO_CHECK_ANTI_ENTROPY;
        };
    }

    /** The anti-entropy loop found the agent without this instance. */
    void agentForgot() {
        registrar.registerAgain(() -> RegistrationLog.agentForgot(instance.sent().id()));
    }
}
