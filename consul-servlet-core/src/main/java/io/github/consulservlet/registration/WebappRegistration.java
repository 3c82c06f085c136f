package io.github.consulservlet.registration;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.Liveness;
import io.github.consulservlet.LivenessProbe;
import io.github.consulservlet.Registration;
import io.github.consulservlet.client.Agent;
import io.github.consulservlet.client.CheckDefinition;
import io.github.consulservlet.client.CheckStatus;
import io.github.consulservlet.client.ServiceRegistration;
import io.github.consulservlet.config.ConsulSettings;
import io.github.consulservlet.config.ConsulSettings.CheckMode;

/**
 * One webapp's instance in Consul, from the moment its container reports it started to the
 * moment it is deregistered. Calls to the agent happen on the shared registrar thread (register,
 * retries, TTL reports) or on the container's stopping thread (maintenance, deregistration), one
 * at a time: a registration still being retried can never land after the deregistration.
 */
final class WebappRegistration implements Registration, WebappLifecycle {
    private static final System.Logger LOG = System.getLogger(ConsulServletInitializer.class.getName());
    /** While the agent cannot be reached, retry at least every second: registered soon after it is back. */
    private static final Duration MAX_UNREACHABLE_DELAY = Duration.ofSeconds(1);
    /** A refusal (ACL, bad request) heals only when an operator acts: retry, but gently. */
    private static final Duration MAX_REFUSED_DELAY = Duration.ofSeconds(30);
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);
    private static final Duration NO_CHECK_ANTI_ENTROPY = Duration.ofSeconds(10);

    private final String contextPath;
    private final ConsulSettings settings;
    private final ClientPool.Lease lease;
    private final ContainerAdapter.Binding binding;
    private final Map<String, LivenessProbe> probes = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Object agentCalls = new Object();

    private volatile State state = State.STARTING;
    private volatile boolean draining;
    private volatile ServiceRegistration registration;
    private volatile String maintenanceReason;
    // guarded by agentCalls
    private ScheduledFuture<?> pending;
    private int failures;
    private boolean everRegistered;
    private boolean closed;

    WebappRegistration(String contextPath, ConsulSettings settings, ClientPool.Lease lease, ContainerAdapter.Binding binding) {
        this.contextPath = contextPath;
        this.settings = settings;
        this.lease = lease;
        this.binding = binding;
    }

    private String webapp() {
        return contextPath.isEmpty() ? "/" : contextPath;
    }

    // ---- Registration (what the webapp sees)

    @Override
    public String serviceName() {
        return settings.serviceName();
    }

    @Override
    public Optional<String> serviceId() {
        ServiceRegistration current = registration;
        return current != null ? Optional.of(current.id()) : settings.serviceId();
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public void enableMaintenance(String reason) {
        Objects.requireNonNull(reason, "reason");
        maintenanceReason = reason;
        synchronized (agentCalls) {
            if (state == State.REGISTERED) {
                agent().enableMaintenance(registration.id(), reason);
            }
        }
    }

    @Override
    public void disableMaintenance() {
        maintenanceReason = null;
        synchronized (agentCalls) {
            if (state == State.REGISTERED) {
                agent().disableMaintenance(registration.id());
            }
        }
    }

    @Override
    public void addLivenessProbe(String name, LivenessProbe probe) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a liveness probe needs a name");
        }
        if (stopped.get()) {
            throw new IllegalStateException("the webapp " + webapp() + " is stopping: no more liveness probes");
        }
        probes.put(name, Objects.requireNonNull(probe, "probe"));
    }

    @Override
    public void removeLivenessProbe(String name) {
        probes.remove(name);
    }

    @Override
    public Liveness liveness() {
        if (draining) {
            return Liveness.down("the webapp is stopping");
        }
        Liveness worst = Liveness.up();
        for (Map.Entry<String, LivenessProbe> probe : probes.entrySet()) {
            Liveness found = ask(probe.getKey(), probe.getValue());
            if (found.status().compareTo(worst.status()) > 0) {
                worst = found;
            }
        }
        return worst;
    }

    private static Liveness ask(String name, LivenessProbe probe) {
        try {
            Liveness found = probe.check();
            if (found == null) {
                return Liveness.down(name + ": the probe answered null");
            }
            return found.status() == Liveness.Status.UP ? found
                    : found.status() == Liveness.Status.WARNING ? Liveness.warning(name + ": " + found.note())
                    : Liveness.down(name + ": " + found.note());
        } catch (Exception | LinkageError e) {
            return Liveness.down(name + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    // ---- WebappLifecycle (what the container reports)

    @Override
    public void started(String host, int port) {
        if (stopped.get() || !started.compareAndSet(false, true)) {
            return;
        }
        ServiceRegistration made = describe(host, port);
        registration = made;
        state = State.REGISTERING;
        LOG.log(System.Logger.Level.DEBUG, () -> "registering " + webapp() + " as " + made);
        synchronized (agentCalls) {
            schedule(this::register, 0);
        }
    }

    @Override
    public void stopping() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        draining = true;
        ServiceRegistration current;
        boolean wasRegistered;
        synchronized (agentCalls) {
            cancelPending();
            current = registration;
            wasRegistered = everRegistered;
            if (current != null) {
                state = State.DRAINING;
            }
        }
        lease.forget(this);
        if (current == null) {
            return; // never started: nothing was registered
        }
        if (wasRegistered) {
            try {
                agent().enableMaintenance(current.id(), "draining: " + webapp() + " is stopping");
            } catch (ConsulException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "maintenance for " + current.id() + " failed: " + e.getMessage());
            }
            drain();
        }
        try {
            agent().deregister(current.id());
            LOG.log(System.Logger.Level.INFO, "deregistered " + current.id() + " (" + webapp() + ") from Consul");
        } catch (ConsulNotFoundException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> current.id() + " was not registered");
        } catch (ConsulException e) {
            LOG.log(System.Logger.Level.WARNING, "could not deregister " + current.id() + " (" + webapp()
                    + "); retrying in the background: " + e.getMessage());
            lease.retryDeregistration(current.id());
        }
        state = State.DEREGISTERED;
    }

    /** Waits up to {@code consul.drain} for the requests the container reports in flight. */
    private void drain() {
        if (binding == null) {
            return; // without an adapter the container has stopped routing requests already
        }
        long deadline = System.nanoTime() + settings.drain().toNanos();
        try {
            while (binding.inFlightRequests() > 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(DRAIN_POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = binding.inFlightRequests();
        if (left > 0) {
            LOG.log(System.Logger.Level.INFO, webapp() + " still had " + left + " requests in flight after consul.drain ("
                    + settings.drain().toMillis() + " ms)");
        }
    }

    /** Out of Consul if not already, then nothing of this webapp stays referenced. */
    void close() {
        stopping();
        synchronized (agentCalls) {
            closed = true;
            cancelPending();
        }
        probes.clear();
        lease.release();
    }

    // ---- the registrar's work

    private ServiceRegistration describe(String host, int containerPort) {
        int port = settings.servicePort().orElse(containerPort);
        String address = settings.serviceAddress().orElseGet(() -> Addresses.advertised(settings.agents(), host));
        String id = settings.serviceId().orElseGet(() -> settings.serviceName() + "-"
                + Addresses.idPart(address.isEmpty() ? Addresses.hostName() : address) + "-" + port);
        ServiceRegistration.Builder builder = ServiceRegistration.builder(settings.serviceName()).id(id).port(port)
                .address(address).tags(settings.tags()).meta(settings.meta()).replaceExistingChecks(true);
        CheckStatus initial = binding == null ? CheckStatus.CRITICAL : status(liveness());
        CheckDefinition.Builder check = switch (settings.checkMode()) {
            case HTTP -> CheckDefinition.http(checkUrl(address.isEmpty() ? "127.0.0.1" : address, port), settings.checkInterval())
                    .timeout(settings.checkTimeout());
            case TTL -> CheckDefinition.ttl(settings.checkTtl());
            case NONE -> null;
        };
        if (check != null) {
            check.id(checkId(id)).name(settings.serviceName() + " liveness").status(initial);
            settings.deregisterAfter().ifPresent(check::deregisterCriticalServiceAfter);
            builder.check(check.build());
        }
        return builder.build();
    }

    private String checkUrl(String address, int port) {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return URI.create("http://" + host + ":" + port + contextPath + settings.checkPath()).toString();
    }

    static String checkId(String serviceId) {
        return "service:" + serviceId;
    }

    private static CheckStatus status(Liveness liveness) {
        return switch (liveness.status()) {
            case UP -> CheckStatus.PASSING;
            case WARNING -> CheckStatus.WARNING;
            case DOWN -> CheckStatus.CRITICAL;
        };
    }

    /** How often the anti-entropy loop should look for this instance: once per check interval. */
    Duration antiEntropyPeriod() {
        return switch (settings.checkMode()) {
            case HTTP -> settings.checkInterval();
            case TTL -> settings.checkTtl();
            case NONE -> NO_CHECK_ANTI_ENTROPY;
        };
    }

    private Agent agent() {
        return lease.client().agent();
    }

    private void register() {
        synchronized (agentCalls) {
            if (closed || draining) {
                return;
            }
            ServiceRegistration current = registration;
            try {
                agent().register(current);
                String reason = maintenanceReason;
                if (reason != null) {
                    agent().enableMaintenance(current.id(), reason);
                }
            } catch (ConsulException | IllegalArgumentException e) {
                retryRegistration(current, e);
                return;
            }
            state = State.REGISTERED;
            int attempts = failures;
            failures = 0;
            if (!everRegistered) {
                everRegistered = true;
                LOG.log(System.Logger.Level.INFO, "registered " + webapp() + " in Consul as " + current.id() + " (service "
                        + current.name() + ", port " + current.port() + ", check " + settings.checkMode().name().toLowerCase(java.util.Locale.ROOT)
                        + (attempts > 0 ? ", after " + attempts + " failed attempts" : "") + ")");
            } else {
                LOG.log(System.Logger.Level.INFO, "registered " + current.id() + " again");
            }
            lease.watchOver(this);
            if (settings.checkMode() == CheckMode.TTL) {
                schedule(this::reportTtl, 0);
            }
        }
    }

    private void retryRegistration(ServiceRegistration current, RuntimeException e) {
        failures++;
        boolean unreachable = e instanceof ConsulUnreachableException;
        long delay = Retries.delayMillis(failures, unreachable ? MAX_UNREACHABLE_DELAY : MAX_REFUSED_DELAY);
        if (failures == 1) {
            LOG.log(System.Logger.Level.WARNING, "could not register " + webapp() + " as " + current.id()
                    + "; the webapp runs and registration is retried in the background: " + e.getMessage());
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "registering " + current.id() + " failed again (" + failures + "): " + e.getMessage());
        }
        schedule(this::register, delay);
    }

    /** Reports the webapp's liveness to its TTL check, every ttl/3. */
    private void reportTtl() {
        synchronized (agentCalls) {
            if (closed || draining || state != State.REGISTERED) {
                return;
            }
            ServiceRegistration current = registration;
            Liveness now = liveness();
            try {
                agent().updateCheck(checkId(current.id()), status(now), now.toString());
            } catch (ConsulNotFoundException e) {
                LOG.log(System.Logger.Level.INFO, "the agent no longer knows " + current.id() + "; registering it again");
                state = State.REGISTERING;
                schedule(this::register, 0);
                return;
            } catch (ConsulException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "TTL report of " + current.id() + " failed: " + e.getMessage());
            }
            schedule(this::reportTtl, settings.checkTtl().toMillis() / 3);
        }
    }

    /** The anti-entropy loop found the agent without this instance. */
    void agentForgot() {
        synchronized (agentCalls) {
            if (closed || draining || state != State.REGISTERED) {
                return;
            }
            LOG.log(System.Logger.Level.INFO, "the agent no longer knows " + registration.id() + "; registering it again");
            state = State.REGISTERING;
            cancelPending();
            schedule(this::register, 0);
        }
    }

    // guarded by agentCalls
    private void schedule(Runnable task, long delayMillis) {
        cancelPending();
        try {
            pending = lease.registrar().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending = null; // the shared client is closing with the last webapp
        }
    }

    private void cancelPending() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /** The host name for default service IDs, looked up once. */
    static final class Addresses {
        private static volatile String hostName;

        private Addresses() {
        }

        /**
         * Empty when the agent is on loopback (Consul then advertises the node's address, as it
         * prescribes for one agent per node); else the connector's host when it is bound to one
         * address; else this host's address.
         */
        static String advertised(String agents, String boundHost) {
            if (agentsOnLoopback(agents)) {
                return "";
            }
            if (boundHost != null && !boundHost.isBlank() && !isWildcard(boundHost)) {
                return boundHost;
            }
            try {
                return InetAddress.getLocalHost().getHostAddress();
            } catch (UnknownHostException e) {
                return "";
            }
        }

        static boolean agentsOnLoopback(String agents) {
            for (String agent : agents.split(",")) {
                String text = agent.strip();
                URI uri = URI.create(text.contains("://") ? text : "http://" + text);
                String host = uri.getHost();
                if (host == null) {
                    return false;
                }
                String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
                if (!bare.equalsIgnoreCase("localhost") && !bare.startsWith("127.") && !bare.equals("::1")
                        && !bare.equals("0:0:0:0:0:0:0:1")) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isWildcard(String host) {
            return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0");
        }

        /**
         * This machine's name, for default service IDs: from the environment or the kernel, as
         * {@code hostname} prints it, so that no name lookup is made; a lookup only as a last resort.
         */
        static String hostName() {
            String name = hostName;
            if (name == null) {
                name = firstNonBlank(System.getenv("HOSTNAME"), System.getenv("COMPUTERNAME"),
                        read("/proc/sys/kernel/hostname"), read("/etc/hostname"));
                if (name == null) {
                    try {
                        name = InetAddress.getLocalHost().getHostName();
                    } catch (UnknownHostException e) {
                        name = "localhost";
                    }
                }
                hostName = name;
            }
            return name;
        }

        private static String read(String file) {
            try {
                return java.nio.file.Files.readString(java.nio.file.Path.of(file)).strip();
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            }
        }

        private static String firstNonBlank(String... candidates) {
            for (String candidate : candidates) {
                if (candidate != null && !candidate.isBlank()) {
                    return candidate.strip();
                }
            }
            return null;
        }

        /** A host as a piece of a service ID: Consul IDs travel in URL paths, so only safe characters. */
        static String idPart(String host) {
            return host.replaceAll("[^A-Za-z0-9._-]", "-");
        }
    }
}
