package io.github.consulservlet.internal.registration;

import io.github.consulservlet.spi.ListeningAddress;
import io.github.consulservlet.spi.WebappNames;

import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.WebappLifecycle;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.Liveness;
import io.github.consulservlet.LivenessProbe;
import io.github.consulservlet.Registration;
import io.github.consulservlet.internal.client.agent.Agent;
import io.github.consulservlet.internal.client.AgentAddresses;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.internal.config.ConsulSettings;
import io.github.consulservlet.internal.config.ConsulSettings.CheckMode;

/**
 * One webapp's instance in Consul, from the moment its container reports it started to the
 * moment it is deregistered.
 *
 * <p>Calls to the agent run on the shared registrar thread (registration, retries, TTL reports,
 * maintenance the webapp asks for) or on the container's stopping thread (the drain), one at a
 * time under {@link #agentCalls}, so that a registration being retried can never land after the
 * deregistration. That lock is held only around calls to the agent: never while a liveness
 * probe runs and never by the webapp's own threads, which only record what they want.
 */
final class WebappRegistration implements Registration, WebappLifecycle {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulServletInitializer.class.getName());
    /** While the agent cannot be reached, retry at least every second: registered soon after it is back. */
    private static final Duration MAX_UNREACHABLE_DELAY = Duration.ofSeconds(1);
    /** A refusal (ACL, bad request) heals only when an operator acts: retry, but gently. */
    private static final Duration MAX_REFUSED_DELAY = Duration.ofSeconds(30);
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);
    private static final Duration NO_CHECK_ANTI_ENTROPY = Duration.ofSeconds(10);
    /** A client's connect timeout (per agent tried) and read timeout, for how long a call can take. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final String contextPath;
    private final ConsulSettings settings;
    private final ClientPool.Lease lease;
    private final ContainerAdapter.Binding binding;
    private final Map<String, LivenessProbe> probes = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch stopDone = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock agentCalls = new ReentrantLock();
    private final AtomicBoolean unexpectedLogged = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong probesChanged = new java.util.concurrent.atomic.AtomicLong();

    /** Weak: what cleans up an abandoned webapp holds this registration, and must not hold the webapp. */
    private volatile java.lang.ref.WeakReference<ClassLoader> webappLoader;
    private volatile Runnable onStopped = () -> { };
    private volatile State state = State.STARTING;
    private volatile boolean draining;
    private volatile String boundHost;
    private volatile int boundPort;
    private volatile ServiceRegistration registration;
    /** Chosen once, when the port is known, and held in the pool's owners from then on. */
    private volatile String serviceId;
    private volatile String maintenanceReason;
    private volatile Liveness lastLiveness = Liveness.up();
    /** When the TTL liveness evaluation under way started (nanoTime), or 0 when none is. */
    private volatile long evaluating;
    private volatile java.util.concurrent.ExecutorService evaluatingOn;
    private volatile boolean everRegistered;
    /** Whether the agent has the maintenance this webapp asked for (registrar thread, under agentCalls). */
    private boolean maintenanceApplied;
    private int maintenanceFailures;
    // guarded by this
    private ScheduledFuture<?> pending;
    // registrar thread only
    private int failures;

    WebappRegistration(String contextPath, ConsulSettings settings, ClientPool.Lease lease,
            ContainerAdapter.Binding binding, ClassLoader webappLoader) {
        this.contextPath = contextPath;
        this.settings = settings;
        this.lease = lease;
        this.binding = binding;
        this.webappLoader = new java.lang.ref.WeakReference<>(webappLoader);
    }

    ClientPool.Lease lease() {
        return lease;
    }

    /** What {@link #stopped()} runs: closing the webapp's whole context. */
    void onStopped(Runnable close) {
        this.onStopped = close;
    }

    private String webapp() {
        return WebappNames.displayName(contextPath);
    }

    // ---- Registration (what the webapp sees)

    @Override
    public String serviceName() {
        return settings.serviceName();
    }

    @Override
    public Optional<String> serviceId() {
        String id = serviceId;
        return id != null ? Optional.of(id) : settings.serviceId();
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public void enableMaintenance(String reason) {
        maintenanceReason = Objects.requireNonNull(reason, "reason");
        submit(this::applyMaintenance);
    }

    @Override
    public void disableMaintenance() {
        maintenanceReason = null;
        submit(this::applyMaintenance);
    }

    @Override
    public void addLivenessProbe(String name, LivenessProbe probe) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a liveness probe needs a name");
        }
        Objects.requireNonNull(probe, "probe");
        if (stopped.get()) {
            throw new IllegalStateException("the webapp " + webapp() + " is stopping: no more liveness probes");
        }
        probes.put(name, probe);
        probesChanged.incrementAndGet();
    }

    @Override
    public void removeLivenessProbe(String name) {
        probes.remove(name);
        probesChanged.incrementAndGet();
    }

    /** Counts the probes added and removed: a cached answer of other probes is stale. */
    long probesChanged() {
        return probesChanged.get();
    }

    /** Whether the webapp is stopping: its liveness is DOWN from now on. */
    boolean draining() {
        return draining;
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
        lastLiveness = worst;
        return worst;
    }

    private static Liveness ask(String name, LivenessProbe probe) {
        try {
            Liveness found = probe.check();
            if (found == null) {
                return Liveness.down(name + ": the probe answered null");
            }
            return switch (found.status()) {
                case UP -> found;
                case WARNING -> Liveness.warning(name + ": " + found.note());
                case DOWN -> Liveness.down(name + ": " + found.note());
            };
        } catch (VirtualMachineError e) {
            throw e; // out of memory or stack: not the probe's answer; the caller reports down
        } catch (Throwable e) { // an AssertionError or a LinkageError from a webapp's probe is its answer too
            return Liveness.down(name + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** {@link #liveness()} on a thread of ours, with the webapp's class loader as the probes expect. */
    private Liveness livenessAsTheWebapp() {
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        ClassLoader loader = webappLoader.get();
        thread.setContextClassLoader(loader != null ? loader : own);
        try {
            return liveness();
        } finally {
            thread.setContextClassLoader(own);
        }
    }

    // ---- WebappLifecycle (what the container reports)

    @Override
    public void started(String host, int port) {
        if (stopped.get() || !started.compareAndSet(false, true)) {
            return;
        }
        boundHost = host == null ? "" : host;
        boundPort = port;
        String address = address();
        String id = settings.serviceId().orElseGet(() -> settings.serviceName() + "-"
                + Addresses.idPart(address.isEmpty() || Addresses.isLoopback(address) ? Addresses.hostName() : address)
                + "-" + port());
        if (binding != null) {
            livenessAsTheWebapp(); // the check starts as the webapp is now
        }
        try {
            lease.claim(id, contextPath); // a default ID another webapp of the same name and port holds: not ours to take
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.ERROR, "consul-servlet: " + webapp() + " is not registered: " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (stopped.get()) {
                return;
            }
            serviceId = id;
            lease.own(id, this); // from now on, an older instance with this ID leaves it alone
            state = State.REGISTERING;
            schedule(this::register, 0);
        }
    }

    @Override
    public void stopping() {
        if (!stopped.compareAndSet(false, true)) {
            awaitStopped(); // a second caller, too, returns only once the webapp is out of Consul
            return;
        }
        try {
            stopOnce();
        } finally {
            stopDone.countDown();
        }
    }

    private void awaitStopped() {
        try {
            stopDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopOnce() {
        draining = true;
        cancelPending();
        lease.forget(this);
        synchronized (this) {
            if (!started.get()) {
                return; // never started: nothing was registered
            }
            state = State.DRAINING;
        }
        boolean locked = lockForStop();
        try {
            ServiceRegistration current = registration;
            if (current == null) {
                return; // the first registration never ran
            }
            if (!lease.owns(current.id(), this)) {
                LOG.log(System.Logger.Level.INFO, current.id() + " is held by a newer instance now; " + webapp()
                        + " leaves it registered");
                if (locked) {
                    agentCalls.unlock();
                    locked = false;
                }
                drain(); // a redeploy's successor took the ID: this one's requests in flight still finish first
                return;
            }
            if (everRegistered && lease.owns(current.id(), this)) {
                try {
                    agent().enableMaintenance(current.id(), "draining: " + webapp() + " is stopping");
                } catch (ConsulException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "maintenance for " + current.id() + " failed: " + LogText.remote(e.getMessage()));
                }
                if (locked) {
                    agentCalls.unlock(); // nothing else may call the agent for this webapp now: it is draining
                    locked = false;
                }
                drain();
            }
            if (lease.owns(current.id(), this)) { // again: a newer instance may have taken the ID while this one drained
                lease.disown(current.id(), this);
                deregister(current.id());
            }
        } finally {
            if (locked) {
                agentCalls.unlock();
            }
            lease.forget(this); // again: a registration that held the lock may have joined the anti-entropy loop meanwhile
            ServiceRegistration current = registration;
            if (current != null) {
                lease.disown(current.id(), this);
            }
            state = State.DEREGISTERED;
        }
    }

    private boolean lockForStop() {
        try {
            // the registrar makes at most two calls under the lock, each trying every agent
            int agents = AgentAddresses.parse(settings.agents()).size();
            Duration wait = CONNECT_TIMEOUT.multipliedBy(agents).plus(READ_TIMEOUT).multipliedBy(2);
            if (agentCalls.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            LOG.log(System.Logger.Level.WARNING, "a call to the agent for " + webapp() + " is still under way after "
                    + wait.toSeconds() + "s; stopping without waiting for it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void deregister(String id) {
        try {
            agent().deregister(id);
            LOG.log(System.Logger.Level.INFO, "deregistered " + id + " (" + webapp() + ") from Consul");
        } catch (ConsulNotFoundException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> id + " was not registered");
        } catch (ConsulException e) {
            LOG.log(System.Logger.Level.WARNING, "could not deregister " + id + " (" + webapp()
                    + "); retrying in the background: " + LogText.remote(e.getMessage()));
            lease.retryDeregistration(id, this);
        }
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

    @Override
    public void stopped() {
        onStopped.run();
    }

    /** Out of Consul if not already, then nothing of this webapp stays referenced. Idempotent. */
    void close() {
        stopping();
        if (closed.compareAndSet(false, true)) {
            cancelPending();
            probes.clear();
            if (settings.checkMode() == CheckMode.TTL) {
                lease.renewProbes(); // thread locals the webapp's probes set on that thread go with it
            }
            webappLoader.clear();
            onStopped = () -> { };
            lease.release();
        }
    }

    // ---- the registrar's work

    private int port() {
        return settings.servicePort().orElse(boundPort);
    }

    private String address() {
        return settings.serviceAddress().orElseGet(() -> Addresses.advertised(settings.agents(), boundHost));
    }

    private ServiceRegistration describe() {
        int port = port();
        String address = address();
        String id = serviceId;
        ServiceRegistration.Builder builder = ServiceRegistration.builder(settings.serviceName()).id(id).port(port)
                .address(address).tags(settings.tags()).meta(settings.meta())
                // A new instance starts clean (a maintenance check left by a crashed predecessor
                // with this ID goes); registering again keeps what operators set meanwhile.
                .replaceExistingChecks(!everRegistered);
        CheckStatus initial = binding == null && !everRegistered ? CheckStatus.CRITICAL : status(lastLiveness);
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

    /**
     * The check's URL. Containers give the context path encoded (Jetty's {@code /a%20b}), or not
     * quite ({@code /a b}), and either must give the agent a valid URL: what is not allowed in a
     * URI path is percent-encoded, escapes already there are kept.
     */
    String checkUrl(String address, int port) {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return "http://" + host + ":" + port + encodePath(contextPath + settings.checkPath());
    }

    private static final String PATH_CHARACTERS = "-._~!$&'()*+,;=:@/";

    static String encodePath(String path) {
        StringBuilder out = new StringBuilder(path.length() + 16);
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xFF;
            boolean escape = c == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c < 0x80 && PATH_CHARACTERS.indexOf(c) >= 0) || escape) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    private static boolean isHex(byte b) {
        return Character.digit(b, 16) >= 0;
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

    /**
     * Registration, on the registrar thread; retried until it succeeds or the webapp stops. A
     * task that throws on a scheduled executor is dropped without a word, so everything is caught
     * here: a failure that is not the agent's (a bug, a setting no one checked) is logged once at
     * ERROR, in one line, and retried with the same backoff as a refusal.
     */
    private void register() {
        try {
            registerOnce();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failures++;
            if (failures == 1) {
                LOG.log(System.Logger.Level.ERROR, "could not register " + webapp() + " in Consul; the webapp runs and"
                        + " registration is retried in the background: " + e.getClass().getName() + ": "
                        + LogText.remote(e.getMessage()));
            } else {
                int failed = failures;
                LOG.log(System.Logger.Level.DEBUG, () -> "registering " + webapp() + " failed again (" + failed + "): "
                        + LogText.remote(String.valueOf(e)));
            }
            schedule(this::register, Retries.delayMillis(failures, MAX_REFUSED_DELAY));
        }
    }

    private void registerOnce() {
        ServiceRegistration current;
        int attempts = failures;
        boolean first;
        agentCalls.lock();
        try {
            if (draining) {
                return;
            }
            current = describe();
            registration = current;
            try {
                agent().register(current);
                syncMaintenance(current);
            } catch (ConsulException | IllegalArgumentException e) {
                retryRegistration(current, e);
                return;
            }
            if (draining) {
                // a stop that could not wait for this call has deregistered already: undo it
                if (lease.owns(current.id(), this)) {
                    deregister(current.id());
                }
                return;
            }
            first = !everRegistered;
            everRegistered = true;
            failures = 0;
            state = State.REGISTERED;
            lease.watchOver(this);
        } finally {
            agentCalls.unlock();
        }
        if (first) {
            LOG.log(System.Logger.Level.INFO, "registered " + webapp() + " in Consul as " + current.id() + " (service "
                    + current.name() + ", port " + current.port() + ", check " + settings.checkMode().name().toLowerCase(java.util.Locale.ROOT)
                    + (attempts > 0 ? ", after " + attempts + " failed attempts" : "") + ")");
        } else {
            LOG.log(System.Logger.Level.INFO, "registered " + current.id() + " again");
        }
        if (settings.checkMode() == CheckMode.TTL) {
            schedule(this::ttlTick, 0);
        }
    }

    private void retryRegistration(ServiceRegistration current, RuntimeException e) {
        failures++;
        boolean unreachable = e instanceof ConsulUnreachableException || e instanceof ConsulServerException;
        long delay = Retries.delayMillis(failures, unreachable ? MAX_UNREACHABLE_DELAY : MAX_REFUSED_DELAY);
        if (failures == 1) {
            LOG.log(System.Logger.Level.WARNING, "could not register " + webapp() + " as " + current.id()
                    + "; the webapp runs and registration is retried in the background: " + LogText.remote(e.getMessage()));
        } else {
            int failed = failures;
            LOG.log(System.Logger.Level.DEBUG, () -> "registering " + current.id() + " failed again (" + failed + "): " + LogText.remote(e.getMessage()));
        }
        schedule(this::register, delay);
    }

    /**
     * Every ttl/3 on the registrar thread: has the webapp's liveness asked on the probe thread
     * and reported when it answers; reports critical if the previous answer has not come yet.
     */
    private void ttlTick() {
        if (draining || state != State.REGISTERED) {
            return;
        }
        long since = evaluating;
        long period = settings.checkTtl().toNanos() / 3;
        if (since != 0 && System.nanoTime() - since >= period) {
            report(Liveness.down("the liveness probes have not answered for "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms"));
            java.util.concurrent.ExecutorService stuck = evaluatingOn;
            if (stuck != null) {
                evaluatingOn = null;
                lease.replaceProbes(stuck); // the other webapps' probes go on elsewhere
            }
        } else if (since == 0) {
            evaluating = System.nanoTime();
            try {
                java.util.concurrent.ExecutorService probeThread = lease.probes();
                evaluatingOn = probeThread;
                probeThread.execute(this::evaluateAndReport);
            } catch (RejectedExecutionException e) {
                evaluating = 0;
                return; // the shared client is closing
            }
        } // else: the answer under way is not late yet
        if (state == State.REGISTERED) { // not when the report found the check gone and registration is due
            schedule(this::ttlTick, settings.checkTtl().toMillis() / 3);
        }
    }

    /** On the probe thread: asks the probes, then has the answer reported, whatever happens. */
    private void evaluateAndReport() {
        Liveness now = Liveness.down("the liveness probes failed");
        try {
            now = livenessAsTheWebapp();
        } finally {
            evaluating = 0;
            evaluatingOn = null;
            Liveness answer = now;
            submit(() -> report(answer));
        }
    }

    private void report(Liveness liveness) {
        agentCalls.lock();
        try {
            ServiceRegistration current = registration;
            if (draining || state != State.REGISTERED) {
                return;
            }
            try {
                agent().updateCheck(checkId(current.id()), status(liveness), liveness.toString());
            } catch (ConsulNotFoundException | ConsulServerException e) {
                // 404 when the agent lost the check; some versions answer 500 "does not have associated TTL"
                if (e instanceof ConsulNotFoundException || String.valueOf(e.consulMessage()).contains("does not have associated TTL")) {
                    if (!draining) {
                        LOG.log(System.Logger.Level.INFO, "the agent no longer knows the check of " + current.id() + "; registering it again");
                        state = State.REGISTERING;
                        schedule(this::register, 0);
                    }
                } else {
                    LOG.log(System.Logger.Level.DEBUG, () -> "TTL report of " + current.id() + " failed: " + LogText.remote(e.getMessage()));
                }
            } catch (ConsulException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "TTL report of " + current.id() + " failed: " + LogText.remote(e.getMessage()));
            }
        } finally {
            agentCalls.unlock();
        }
    }

    private void applyMaintenance() {
        agentCalls.lock();
        try {
            ServiceRegistration current = registration;
            if (draining || state != State.REGISTERED) {
                return; // applied at registration
            }
            try {
                syncMaintenance(current);
                maintenanceFailures = 0;
            } catch (ConsulException e) {
                maintenanceFailures++;
                LOG.log(maintenanceFailures == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        "could not change maintenance of " + current.id() + "; retrying: " + LogText.remote(e.getMessage()));
                try {
                    lease.registrar().schedule(this::applyMaintenance,
                            Retries.delayMillis(maintenanceFailures, MAX_REFUSED_DELAY), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    // the shared client is closing with the last webapp
                }
            }
        } finally {
            agentCalls.unlock();
        }
    }

    /**
     * Brings the agent to the maintenance this webapp wants; touches only what the webapp set,
     * never maintenance an operator set. Under agentCalls.
     */
    private void syncMaintenance(ServiceRegistration current) {
        String reason = maintenanceReason;
        if (reason != null) {
            agent().enableMaintenance(current.id(), reason);
            maintenanceApplied = true;
        } else if (maintenanceApplied) {
            agent().disableMaintenance(current.id());
            maintenanceApplied = false;
        }
    }

    /** The anti-entropy loop found the agent without this instance. */
    synchronized void agentForgot() {
        if (draining || state != State.REGISTERED) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "the agent no longer knows " + registration.id() + "; registering it again");
        state = State.REGISTERING;
        schedule(this::register, 0);
    }

    private synchronized void schedule(Runnable task, long delayMillis) {
        cancelPending();
        if (draining) {
            return;
        }
        try {
            pending = lease.registrar().schedule(guarded(task), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            pending = null; // the shared client is closing with the last webapp
        }
    }

    /**
     * A registrar task that cannot die silently (the executor would drop what it throws): an
     * unexpected failure is logged at ERROR once per webapp, later ones at DEBUG.
     */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                System.Logger.Level level = unexpectedLogged.compareAndSet(false, true)
                        ? System.Logger.Level.ERROR : System.Logger.Level.DEBUG;
                LOG.log(level, "consul-servlet task for " + webapp() + " failed: " + e.getClass().getName() + ": "
                        + LogText.remote(e.getMessage()));
            }
        };
    }

    private synchronized void cancelPending() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void submit(Runnable task) {
        try {
            lease.registrar().execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // the shared client is closing with the last webapp
        }
    }

    /** Where the instance says it is, and the host name for default service IDs. */
    static final class Addresses {
        private static volatile String hostName;

        private Addresses() {
        }

        /**
         * The connector's host when it is bound to one address. Bound to every interface: empty
         * when the agent is on loopback (Consul then advertises the node's address, as it
         * prescribes for one agent per node), else an address of this host that others can
         * reach (not loopback, not link-local).
         */
        static String advertised(String agents, String boundHost) {
            if (!ListeningAddress.isEveryInterface(boundHost)) {
                return boundHost.startsWith("[") ? boundHost.substring(1, boundHost.length() - 1) : boundHost;
            }
            if (agentsOnLoopback(agents)) {
                return "";
            }
            return reachableAddress().orElseGet(() -> {
                LOG.log(System.Logger.Level.WARNING, "this host has no address other than loopback or link-local to"
                        + " advertise to a remote agent; set consul.service.address");
                return "";
            });
        }

        private static Optional<String> reachableAddress() {
            try {
                Optional<String> v6 = Optional.empty();
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (!nic.isUp() || nic.isLoopback()) {
                        continue;
                    }
                    for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()) {
                            continue;
                        }
                        if (!(address instanceof Inet6Address)) {
                            return Optional.of(address.getHostAddress());
                        }
                        if (v6.isEmpty()) {
                            v6 = Optional.of(address.getHostAddress());
                        }
                    }
                }
                return v6;
            } catch (SocketException e) {
                return Optional.empty();
            }
        }

        static boolean agentsOnLoopback(String agents) {
            for (URI agent : AgentAddresses.parse(agents)) {
                if (!isLoopback(AgentAddresses.host(agent))) {
                    return false;
                }
            }
            return true;
        }

        static boolean isLoopback(String host) {
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            return bare.equalsIgnoreCase("localhost") || bare.startsWith("127.") || bare.equals("::1")
                    || bare.equals("0:0:0:0:0:0:0:1");
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
