package io.github.consulservlet.internal.registration;

import io.github.consulservlet.spi.WebappNames;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.ConsulRequestException;
import io.github.consulservlet.ConsulPermissionException;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.spi.ExtensionThreads;
import io.github.consulservlet.internal.client.tls.TlsSettings;
import io.github.consulservlet.internal.config.ConsulSettings;

/**
 * One {@link ConsulClient} and one registrar thread per distinct agent list and credentials,
 * shared by every webapp that uses them and closed when the last lets go: threads stay O(1) in
 * the number of webapps. Each shared client also runs one anti-entropy loop for all its
 * registered webapps (one {@code GET /v1/agent/services}, however many webapps), the
 * deregistrations that failed while their webapp stopped, and, for {@code ttl} checks, one
 * thread that asks the webapps' liveness probes, so that a probe that hangs cannot stop
 * registrations.
 */
final class ClientPool {
    /**
     * Distinct agent lists, tokens and TLS settings one container may use at once: each costs a
     * client with its threads, so a container whose webapps each name their own would otherwise
     * grow without bound.
     */
    static final int MAX_CLIENTS_DEFAULT = 64;

    static final ClientPool SHARED = new ClientPool(ClientPool::build, MAX_CLIENTS_DEFAULT);

    private static final System.Logger LOG = ExtensionLog.logger(ConsulServletInitializer.class.getName());

    private final java.util.function.Function<Key, ConsulClient> factory;
    private final int maxClients;
    private final Map<Key, Shared> clients = new HashMap<>();
    /**
     * Which live webapp owns each service ID, by agents and ID: an instance that stops leaves its
     * ID alone when a newer one (a redeploy, Tomcat's parallel deployment) has taken it. Across
     * clients, since a redeploy may come with a new token.
     */
    private final Map<String, WebappRegistration> owners = new ConcurrentHashMap<>();
    private final Map<String, DeregistrationRetry> retries = new ConcurrentHashMap<>();
    /** Which webapp (context path) claimed each service ID, by agents and ID, and how many of its leases hold it; guarded by this. */
    private final Map<String, Claim> claims = new HashMap<>();
    private final ReferenceQueue<Object> abandoned = new ReferenceQueue<>();
    private final Set<Orphan> orphans = ConcurrentHashMap.newKeySet();

    /** For tests: {@code factory} makes the clients, and at most {@code maxClients} are open at once. */
    ClientPool(java.util.function.Function<Key, ConsulClient> factory, int maxClients) {
        this.factory = factory;
        this.maxClients = maxClients;
    }

    /**
     * Takes a lease on the client for these settings, making it if needed. The client is made
     * outside the pool's lock: reading a webapp's TLS files, or whatever else a client's set-up
     * does, slowly or never ending, then delays only the webapps that share those settings, never
     * another webapp's deploy.
     */
    Lease lease(ConsulSettings settings) {
        return lease(settings, null);
    }

    /**
     * {@link #lease(ConsulSettings)} for the webapp at {@code webapp} (its context path), which
     * also claims the webapp's {@code consul.service.id}: two webapps of one container cannot
     * share an ID (the first to stop would deregister the other while it still serves), so a
     * second one's deployment fails, naming the ID and the webapp that holds it. The same context
     * path may claim it again while its previous instance stops: a redeploy, or Tomcat's
     * parallel deployment of a new version.
     */
    Lease lease(ConsulSettings settings, String webapp) {
        Lease lease = leaseClient(settings);
        if (webapp != null && settings.serviceId().isPresent()) {
            try {
                lease.claim(settings.serviceId().get(), webapp);
            } catch (RuntimeException e) {
                lease.release();
                throw e;
            }
        }
        return lease;
    }

    private Lease leaseClient(ConsulSettings settings) {
        closeAbandoned();
        Key key = new Key(settings.agents(), settings.token().orElse(null), settings.tls(), settings.maxResponseSize(),
                settings.maxWatchResponseSize());
        Shared shared;
        synchronized (this) {
            shared = clients.get(key);
            if (shared == null) {
                if (clients.size() >= maxClients) {
                    throw new IllegalStateException("this container already has " + clients.size()
                            + " Consul clients (one per distinct consul.agent, token and TLS settings), the most it allows;"
                            + " expected the webapps to share agents and credentials");
                }
                shared = new Shared(key);
                clients.put(key, shared);
            }
            shared.leases++;
        }
        try {
            shared.open();
        } catch (RuntimeException | Error e) {
            release(shared); // the next webapp with these settings tries afresh
            throw e;
        }
        return new Lease(shared);
    }

    /** The default factory: a client of the key's agents, with its token and TLS settings. */
    private static ConsulClient build(Key key) {
        ConsulClient.Builder builder = ConsulClient.builder().agents(key.agents).tls(key.tls)
                .maxResponseSize(key.maxResponseSize).maxWatchResponseSize(key.maxWatchResponseSize);
        if (key.token != null) {
            builder.token(key.token);
        }
        return builder.build();
    }

    synchronized int clientCount() {
        return clients.size();
    }

    private synchronized void release(Shared shared) {
        if (--shared.leases == 0) {
            clients.remove(shared.key, shared);
            shared.close();
        }
    }

    /**
     * Runs {@code close} if {@code owner} becomes unreachable before the answer is run (which
     * forgets it): a webapp that failed to deploy after consul-servlet set it up may never hear
     * {@code contextDestroyed} (containers call it only for listeners that were initialized).
     * Checked on each new lease and each anti-entropy pass; no thread of its own.
     */
    Runnable closeIfAbandoned(Object owner, Runnable close) {
        Orphan orphan = new Orphan(owner, abandoned, close);
        orphans.add(orphan);
        return () -> {
            orphans.remove(orphan);
            orphan.clear();
        };
    }

    void closeAbandoned() {
        for (Reference<?> gone = abandoned.poll(); gone != null; gone = abandoned.poll()) {
            Orphan orphan = (Orphan) gone;
            if (orphans.remove(orphan)) {
                LOG.log(System.Logger.Level.DEBUG, "releasing what a webapp that never stopped cleanly held");
                orphan.close.run();
            }
        }
    }

    private static final class Orphan extends PhantomReference<Object> {
        final Runnable close;

        Orphan(Object owner, ReferenceQueue<Object> queue, Runnable close) {
            super(owner, queue);
            this.close = close;
        }
    }

    /** The identity of a shared client; never printed, since it holds the token. */
    record Key(String agents, String token, TlsSettings tls, long maxResponseSize, long maxWatchResponseSize) {
        @Override
        public String toString() {
            return agents;
        }
    }

    private static final class Claim {
        final String webapp;
        int holders;

        Claim(String webapp) {
            this.webapp = webapp;
        }
    }

    private static String shown(String webapp) {
        return WebappNames.displayName(webapp);
    }

    /** A webapp's hold on a shared client; {@link #release()} once, when the webapp is gone. */
    final class Lease {
        private final Shared shared;
        private final AtomicBoolean released = new AtomicBoolean();
        private final List<String> claimed = new java.util.ArrayList<>(); // guarded by the pool

        private Lease(Shared shared) {
            this.shared = shared;
        }

        ConsulClient client() {
            return shared.client;
        }

        ScheduledThreadPoolExecutor registrar() {
            return shared.registrar;
        }

        /** The thread that asks liveness probes for {@code ttl} checks, made on first use. */
        ExecutorService probes() {
            return shared.probes();
        }

        /**
         * Gives up a probe thread stuck in a webapp's probe: later probes of the other webapps
         * run on a new one. The stuck one ends when its probe returns.
         */
        void replaceProbes(ExecutorService stuck) {
            shared.replaceProbes(stuck);
        }

        /**
         * A webapp that ran probes stops: later probes run on a new thread, and the old one ends
         * once its queue is done, with whatever thread locals the webapp's code left on it.
         */
        void renewProbes() {
            shared.renewProbes();
        }

        /** This registration now holds {@code serviceId}; an older holder's retry is dropped. */
        void own(String serviceId, WebappRegistration registration) {
            String key = shared.key.agents + " " + serviceId;
            owners.put(key, registration);
            DeregistrationRetry retry = retries.remove(key);
            if (retry != null) {
                retry.stop();
            }
        }

        /** Whether {@code registration} may still deregister {@code serviceId}: no newer instance took it. */
        boolean owns(String serviceId, WebappRegistration registration) {
            WebappRegistration owner = owners.get(shared.key.agents + " " + serviceId);
            return owner == null || owner == registration;
        }

        void disown(String serviceId, WebappRegistration registration) {
            owners.remove(shared.key.agents + " " + serviceId, registration);
        }

        /** Joins the anti-entropy loop, once registered. */
        void watchOver(WebappRegistration registration) {
            shared.watchOver(registration);
        }

        void forget(WebappRegistration registration) {
            shared.members.remove(registration);
        }

        /**
         * Retries a failed deregistration in the background, keeping the client alive meanwhile,
         * until the agent accepts it, a new instance registers the same ID, or the JVM exits.
         */
        void retryDeregistration(String serviceId, WebappRegistration registration) {
            String key = shared.key.agents + " " + serviceId;
            Lease retryLease = lease(shared);
            if (retryLease == null) {
                return; // the shared client closed meanwhile
            }
            DeregistrationRetry retry = new DeregistrationRetry(retryLease, serviceId, key);
            DeregistrationRetry previous = retries.put(key, retry);
            if (previous != null) {
                previous.stop();
            }
            if (!owns(serviceId, registration)) { // a newer instance took the ID meanwhile
                retries.remove(key, retry);
                retry.stop();
                return;
            }
            retry.schedule();
        }

        /**
         * Claims {@code serviceId} for the webapp at {@code webapp} until this lease is released.
         *
         * @throws IllegalStateException if a live webapp at another context path holds it
         */
        void claim(String serviceId, String webapp) {
            String key = shared.key.agents + " " + serviceId;
            synchronized (ClientPool.this) {
                if (claimed.contains(key)) {
                    return;
                }
                Claim claim = claims.get(key);
                if (claim != null && !claim.webapp.equals(webapp)) {
                    throw new IllegalStateException("consul.service.id '" + serviceId + "' is already used by the webapp "
                            + shown(claim.webapp) + " in this container; expected a consul.service.id of its own for "
                            + shown(webapp) + " (two webapps sharing one ID would deregister each other)");
                }
                if (claim == null) {
                    claim = new Claim(webapp);
                    claims.put(key, claim);
                }
                claim.holders++;
                claimed.add(key);
            }
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                synchronized (ClientPool.this) {
                    for (String key : claimed) {
                        Claim claim = claims.get(key);
                        if (claim != null && --claim.holders == 0) {
                            claims.remove(key);
                        }
                    }
                    claimed.clear();
                }
                ClientPool.this.release(shared);
            }
        }
    }

    /** Another lease on a client that is still open, or null. */
    private synchronized Lease lease(Shared shared) {
        if (shared.leases == 0) {
            return null;
        }
        shared.leases++;
        return new Lease(shared);
    }

    /** A client and its registrar thread, with the webapps registered through it. */
    private final class Shared {
        private final Key key;
        /** Made once, by the first lease, outside the pool's lock; the others wait for it. */
        private final java.util.concurrent.CompletableFuture<ConsulClient> made = new java.util.concurrent.CompletableFuture<>();
        private final AtomicBoolean making = new AtomicBoolean();
        private volatile ConsulClient client;
        private final ScheduledThreadPoolExecutor registrar;
        private final Set<WebappRegistration> members = ConcurrentHashMap.newKeySet();
        private int leases;
        private ExecutorService probes;
        private ScheduledFuture<?> antiEntropy;
        private long antiEntropyGeneration;
        private boolean closed;

        Shared(Key key) {
            this.key = key;
            this.registrar = new ScheduledThreadPoolExecutor(1, new ExtensionThreads("registrar"));
            registrar.setRemoveOnCancelPolicy(true);
        }

        /** Makes the client, or waits for the lease that is making it; its failure is every waiter's. */
        void open() {
            if (making.compareAndSet(false, true)) {
                try {
                    ConsulClient built = factory.apply(key);
                    boolean lateClose;
                    synchronized (this) {
                        client = built;
                        lateClose = closed; // every lease let go while it was made
                    }
                    if (lateClose) {
                        built.close();
                    } else {
                        registrar.prestartCoreThread();
                    }
                    made.complete(built);
                } catch (RuntimeException | Error e) {
                    synchronized (ClientPool.this) {
                        clients.remove(key, this); // no later lease gets this failure: it tries afresh
                    }
                    made.completeExceptionally(e);
                    throw e;
                }
                return;
            }
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        made.get();
                        return;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (java.util.concurrent.ExecutionException e) {
                        Throwable cause = e.getCause();
                        if (cause instanceof RuntimeException r) {
                            throw r;
                        }
                        throw (Error) cause;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        synchronized ExecutorService probes() {
            if (probes == null) {
                probes = Executors.newSingleThreadExecutor(new ExtensionThreads("probes"));
            }
            return probes;
        }

        synchronized void renewProbes() {
            if (probes != null) {
                probes.shutdown();
                probes = null;
            }
        }

        synchronized void replaceProbes(ExecutorService stuck) {
            if (probes == stuck) {
                LOG.log(System.Logger.Level.WARNING, "a liveness probe has not returned; asking the others on a new thread");
                List<Runnable> waiting = stuck.shutdownNow(); // interrupts the stuck probe, which may or may not listen
                probes = Executors.newSingleThreadExecutor(new ExtensionThreads("probes"));
                waiting.forEach(probes::execute);
            }
        }

        void watchOver(WebappRegistration registration) {
            members.add(registration);
            Duration period = registration.antiEntropyPeriod();
            synchronized (this) {
                // a member with a shorter interval than the loop's next run brings that run forward
                if (antiEntropy == null || antiEntropy.isDone() || antiEntropy.getDelay(TimeUnit.MILLISECONDS) > period.toMillis()) {
                    scheduleAntiEntropy(period);
                }
            }
        }

        /** Replaces the loop's next run; a run already under way sees it is stale and ends there. */
        private void scheduleAntiEntropy(Duration delay) {
            if (antiEntropy != null) {
                antiEntropy.cancel(false);
            }
            long generation = ++antiEntropyGeneration;
            antiEntropy = schedule(() -> antiEntropy(generation), delay);
        }

        /**
         * Asks the agent which services it has and re-registers the members it forgot (it was
         * restarted without its data, or an operator removed them), then runs again after the
         * shortest period any member asks for.
         */
        private void antiEntropy(long generation) {
            closeAbandoned();
            if (members.isEmpty()) {
                return;
            }
            try {
                Map<String, AgentService> known = client.agent().services();
                for (WebappRegistration member : members) {
                    member.serviceId().filter(id -> !known.containsKey(id)).ifPresent(id -> member.agentForgot());
                }
            } catch (ConsulException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "anti-entropy check of " + key + " failed: " + LogText.remote(e.getMessage()));
            }
            Optional<Duration> next = members.stream().map(WebappRegistration::antiEntropyPeriod).min(Duration::compareTo);
            synchronized (this) {
                if (generation != antiEntropyGeneration) {
                    return; // a member joining meanwhile scheduled the next run
                }
                if (next.isPresent()) {
                    scheduleAntiEntropy(next.get());
                } else {
                    antiEntropy = null;
                }
            }
        }

        private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
            try {
                return registrar.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return null; // the client is closing
            }
        }

        void close() {
            registrar.shutdownNow();
            ConsulClient open;
            synchronized (this) {
                closed = true;
                if (probes != null) {
                    probes.shutdownNow();
                }
                open = client;
            }
            if (open != null) {
                open.close(); // else the lease making it closes it when done
            }
        }
    }


    /**
     * A deregistration retried with capped backoff while the agent cannot be reached or fails
     * (5xx); given up on a refusal (4xx), which no retry would change.
     */
    private final class DeregistrationRetry {
        private static final Duration MAX_DELAY = Duration.ofSeconds(30);

        private final Lease lease;
        private final String serviceId;
        private final String key;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private volatile ScheduledFuture<?> next;
        private int attempts;

        DeregistrationRetry(Lease lease, String serviceId, String key) {
            this.lease = lease;
            this.serviceId = serviceId;
            this.key = key;
        }

        void schedule() {
            attempts++;
            try {
                next = lease.registrar().schedule(this::attempt, Retries.delayMillis(attempts, MAX_DELAY), TimeUnit.MILLISECONDS);
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
            if (owners.containsKey(key)) { // a live instance holds the ID now
                done();
                return;
            }
            try {
                lease.client().agent().deregister(serviceId);
                LOG.log(System.Logger.Level.INFO, "deregistered " + serviceId + " from Consul after " + attempts + " retries");
                done();
            } catch (ConsulNotFoundException e) {
                done(); // gone already
            } catch (ConsulPermissionException | ConsulRequestException e) {
                if (e.status() == 429) { // too many requests: later
                    schedule();
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "gave up deregistering " + serviceId + ": the agent refuses ("
                        + LogText.remote(e.getMessage()) + "); deregister it by hand, or let consul.check.deregister-after do it");
                done();
            } catch (ConsulException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "deregistering " + serviceId + " failed again: " + LogText.remote(e.getMessage()));
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
