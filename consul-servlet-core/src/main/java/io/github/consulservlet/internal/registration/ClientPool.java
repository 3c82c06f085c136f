package io.github.consulservlet.internal.registration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.tls.TlsSettings;
import io.github.consulservlet.internal.config.ConsulSettings;

/**
 * The container's Consul clients: one {@link SharedClient} (a client, its registrar threads, its
 * probe thread and anti-entropy loop) per distinct agent list and credentials, shared by every
 * webapp that uses them through a {@link Lease} and closed when the last lets go, so that
 * threads stay O(1) in the number of webapps. Beside the clients, the pool holds what spans them:
 * the {@link ServiceIdOwners}, the {@link DeregistrationRetries} and the
 * {@link AbandonedWebapps}. {@link #SHARED} is the container's; {@link ConsulServletInitializer}
 * takes a lease for each webapp.
 */
final class ClientPool {
    /**
     * Distinct agent lists, tokens and TLS settings one container may use at once: each costs a
     * client with its threads, so a container whose webapps each name their own would otherwise
     * grow without bound.
     */
    static final int MAX_CLIENTS_DEFAULT = 64;

    static final ClientPool SHARED = new ClientPool(ClientPool::build, MAX_CLIENTS_DEFAULT);

    private final Function<Key, ConsulClient> factory;
    private final int maxClients;
    private final Map<Key, SharedClient> clients = new HashMap<>(); // guarded by this
    private final ServiceIdOwners owners = new ServiceIdOwners();
    private final DeregistrationRetries retries = new DeregistrationRetries(owners);
    private final AbandonedWebapps abandoned = new AbandonedWebapps();

    /** For tests: {@code factory} makes the clients, and at most {@code maxClients} are open at once. */
    ClientPool(Function<Key, ConsulClient> factory, int maxClients) {
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
     * also claims the webapp's {@code consul.service.id}: a second webapp with the same ID fails
     * to deploy, naming the ID and the webapp that holds it (see {@link ServiceIdOwners}).
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
                settings.maxWatchResponseSize(), settings.strictAnswers());
        SharedClient shared;
        synchronized (this) {
            shared = clients.get(key);
            if (shared == null) {
                if (clients.size() >= maxClients) {
                    throw new IllegalStateException("this container already has " + clients.size()
                            + " Consul clients (one per distinct consul.agent, token and TLS settings), the most it allows;"
                            + " expected the webapps to share agents and credentials");
                }
                shared = new SharedClient(key, factory, this::forgetFailed, this::closeAbandoned);
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
    static ConsulClient build(Key key) {
        ConsulClient.Builder builder = ConsulClient.builder().agents(key.agents).tls(key.tls)
                .maxResponseSize(key.maxResponseSize).maxWatchResponseSize(key.maxWatchResponseSize)
                .strictAnswers(key.strictAnswers);
        if (key.token != null) {
            builder.token(key.token);
        }
        return builder.build();
    }

    synchronized int clientCount() {
        return clients.size();
    }

    private synchronized void forgetFailed(SharedClient shared) {
        clients.remove(shared.key, shared);
    }

    private synchronized void release(SharedClient shared) {
        if (--shared.leases == 0) {
            clients.remove(shared.key, shared);
            shared.close();
        }
    }

    /** Another lease on a client that is still open, or null. */
    private synchronized Lease lease(SharedClient shared) {
        if (shared.leases == 0) {
            return null;
        }
        shared.leases++;
        return new Lease(shared);
    }

    /** See {@link AbandonedWebapps#closeIfAbandoned}. */
    Runnable closeIfAbandoned(Object owner, Runnable close) {
        return abandoned.closeIfAbandoned(owner, close);
    }

    void closeAbandoned() {
        abandoned.closeAbandoned();
    }

    /** The identity of a shared client; never printed, since it holds the token. */
    record Key(String agents, String token, TlsSettings tls, long maxResponseSize, long maxWatchResponseSize,
            boolean strictAnswers) {
        // Written out: a record's own equals and hashCode are bootstrapped at their first call,
        // which the first webapp's deployment would pay for.
        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && agents.equals(other.agents) && Objects.equals(token, other.token)
                    && tls.equals(other.tls) && maxResponseSize == other.maxResponseSize
                    && maxWatchResponseSize == other.maxWatchResponseSize && strictAnswers == other.strictAnswers;
        }

        @Override
        public int hashCode() {
            return Objects.hash(agents, token, tls, maxResponseSize, maxWatchResponseSize, strictAnswers);
        }

        @Override
        public String toString() {
            return agents;
        }
    }

    /**
     * A webapp's hold on a shared client, and its way to the pool's records of service IDs;
     * {@link #release()} once, when the webapp is gone.
     */
    final class Lease {
        private final SharedClient shared;
        private final AtomicBoolean released = new AtomicBoolean();
        private final List<String> claimed = new ArrayList<>(); // touched only by the owners, under their lock

        private Lease(SharedClient shared) {
            this.shared = shared;
        }

        ConsulClient client() {
            return shared.client();
        }

        ScheduledThreadPoolExecutor registrar() {
            return shared.registrar;
        }

        /** Where a stopping webapp's calls to the agent run, waited for a bounded time. */
        StopCalls stopCalls() {
            return shared.stopCalls;
        }

        /** The one backoff of this client's agent, which its webapps' registrations share. */
        AgentGate gate() {
            return shared.gate;
        }

        /** Whether the caller is the first to look for {@code container}'s orphans on this agent. */
        boolean startSweep(String container) {
            return shared.swept.add(container);
        }

        /** Whether a live webapp of this container claimed {@code serviceId}: its registration replaces the old one. */
        boolean claimed(String serviceId) {
            return owners.claimedOrHeld(idKey(serviceId));
        }

        void sweepFailed(String container) {
            shared.swept.remove(container);
        }

        /** The thread that asks liveness probes for {@code ttl} checks, made on first use. */
        ExecutorService probes() {
            return shared.probes.get();
        }

        /** See {@link ProbeThreads#replace}. */
        void replaceProbes(ExecutorService stuck) {
            shared.probes.replace(stuck);
        }

        /** A webapp that ran probes stops: thread locals its code left on the probe thread go with it. */
        void renewProbes() {
            shared.probes.renew();
        }

        /** This registration now holds {@code serviceId}; an older holder's retry is dropped. */
        void own(String serviceId, WebappRegistration registration) {
            String key = idKey(serviceId);
            owners.own(key, registration);
            retries.cancel(key);
        }

        boolean owns(String serviceId, WebappRegistration registration) {
            return owners.owns(idKey(serviceId), registration);
        }

        void disown(String serviceId, WebappRegistration registration) {
            owners.disown(idKey(serviceId), registration);
        }

        /** Joins the anti-entropy loop, once registered. */
        void watchOver(WebappRegistration registration) {
            shared.antiEntropy.watchOver(registration);
        }

        void forget(WebappRegistration registration) {
            shared.antiEntropy.forget(registration);
        }

        /** Retries a failed deregistration in the background, keeping the client alive meanwhile. */
        void retryDeregistration(String serviceId, WebappRegistration registration) {
            Lease retryLease = lease(shared);
            if (retryLease == null) {
                return; // the shared client closed meanwhile
            }
            retries.start(retryLease, serviceId, idKey(serviceId), registration::scoped, () -> owns(serviceId, registration));
        }

        /**
         * Claims {@code serviceId} for the webapp at {@code webapp} until this lease is released.
         *
         * @throws IllegalStateException if a live webapp at another context path holds it
         */
        void claim(String serviceId, String webapp) {
            owners.claim(claimed, idKey(serviceId), serviceId, webapp);
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                owners.release(claimed);
                ClientPool.this.release(shared);
            }
        }

        private String idKey(String serviceId) {
            return shared.key.agents + " " + serviceId;
        }
    }
}
