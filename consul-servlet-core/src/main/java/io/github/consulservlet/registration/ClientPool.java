package io.github.consulservlet.registration;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulNotFoundException;
import io.github.consulservlet.client.AgentService;
import io.github.consulservlet.client.ConsulClient;
import io.github.consulservlet.client.ExtensionThreads;
import io.github.consulservlet.client.TlsSettings;
import io.github.consulservlet.config.ConsulSettings;

/**
 * One {@link ConsulClient} and one registrar thread per distinct agent list and credentials,
 * shared by every webapp that uses them and closed when the last lets go: threads stay O(1) in
 * the number of webapps. Each shared client also runs one anti-entropy loop for all its
 * registered webapps (one {@code GET /v1/agent/services}, however many webapps), and the
 * deregistrations that failed while their webapp stopped.
 */
final class ClientPool {
    static final ClientPool SHARED = new ClientPool();

    private static final System.Logger LOG = System.getLogger(ConsulServletInitializer.class.getName());

    private final Map<Key, Shared> clients = new HashMap<>();

    /** Takes a lease on the client for these settings, making it if needed. */
    synchronized Lease lease(ConsulSettings settings) {
        Key key = new Key(settings.agents(), settings.token().orElse(null), settings.tls());
        Shared shared = clients.get(key);
        if (shared == null) {
            shared = new Shared(key);
            clients.put(key, shared);
        }
        shared.leases++;
        return new Lease(shared);
    }

    synchronized int clientCount() {
        return clients.size();
    }

    private synchronized void release(Shared shared) {
        if (--shared.leases == 0) {
            clients.remove(shared.key);
            shared.close();
        }
    }

    /** The identity of a shared client; never printed, since it holds the token. */
    private record Key(String agents, String token, TlsSettings tls) {
        @Override
        public String toString() {
            return agents;
        }
    }

    /** A webapp's hold on a shared client; {@link #release()} once, when the webapp is gone. */
    final class Lease {
        private final Shared shared;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(Shared shared) {
            this.shared = shared;
        }

        ConsulClient client() {
            return shared.client;
        }

        ScheduledThreadPoolExecutor registrar() {
            return shared.registrar;
        }

        /** Joins the anti-entropy loop, once registered. */
        void watchOver(WebappRegistration registration) {
            shared.watchOver(registration);
        }

        void forget(WebappRegistration registration) {
            shared.members.remove(registration);
        }

        /** Retries a failed deregistration in the background, keeping the client alive meanwhile. */
        void retryDeregistration(String serviceId) {
            Lease lease = lease(shared);
            new DeregistrationRetry(lease, serviceId).schedule();
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                ClientPool.this.release(shared);
            }
        }
    }

    private synchronized Lease lease(Shared shared) {
        shared.leases++;
        return new Lease(shared);
    }

    /** A client and its registrar thread, with the webapps registered through it. */
    private static final class Shared {
        private final Key key;
        private final ConsulClient client;
        private final ScheduledThreadPoolExecutor registrar;
        private final Set<WebappRegistration> members = ConcurrentHashMap.newKeySet();
        private int leases;
        private ScheduledFuture<?> antiEntropy;
        private long antiEntropyGeneration;

        Shared(Key key) {
            this.key = key;
            ConsulClient.Builder builder = ConsulClient.builder().agents(key.agents).tls(key.tls);
            if (key.token != null) {
                builder.token(key.token);
            }
            this.client = builder.build();
            this.registrar = new ScheduledThreadPoolExecutor(1, new ExtensionThreads("registrar"));
            registrar.setRemoveOnCancelPolicy(true);
            registrar.prestartCoreThread();
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
            if (members.isEmpty()) {
                return;
            }
            try {
                Map<String, AgentService> known = client.agent().services();
                for (WebappRegistration member : members) {
                    member.serviceId().filter(id -> !known.containsKey(id)).ifPresent(id -> member.agentForgot());
                }
            } catch (ConsulException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "anti-entropy check of " + key + " failed: " + e.getMessage());
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
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return null; // the client is closing
            }
        }

        void close() {
            registrar.shutdownNow();
            client.close();
        }
    }

    /** A deregistration retried with capped backoff until the agent accepts it or the JVM ends. */
    private static final class DeregistrationRetry {
        private static final Duration MAX_DELAY = Duration.ofSeconds(30);

        private final Lease lease;
        private final String serviceId;
        private int attempts;

        DeregistrationRetry(Lease lease, String serviceId) {
            this.lease = Objects.requireNonNull(lease);
            this.serviceId = serviceId;
        }

        void schedule() {
            attempts++;
            long delay = Retries.delayMillis(attempts, MAX_DELAY);
            try {
                lease.registrar().schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                lease.release();
            }
        }

        private void attempt() {
            try {
                lease.client().agent().deregister(serviceId);
                LOG.log(System.Logger.Level.INFO, "deregistered " + serviceId + " from Consul after " + attempts + " retries");
                lease.release();
            } catch (ConsulNotFoundException e) {
                lease.release(); // gone already
            } catch (ConsulException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "deregistering " + serviceId + " failed again: " + e.getMessage());
                schedule();
            }
        }
    }
}
