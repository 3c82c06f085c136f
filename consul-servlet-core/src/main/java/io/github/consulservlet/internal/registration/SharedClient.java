package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.spi.ExtensionThreads;

/**
 * One client of the {@link ClientPool}, for one agent list and set of credentials, with what
 * its webapps share: the registrar threads (at most {@link #REGISTRAR_THREADS}, so that one
 * webapp's slow call never holds up another's), the {@link ProbeThreads} and the
 * {@link AntiEntropy} loop. Made by the pool on the first lease, which also makes the client
 * (outside the pool's lock), and closed by the pool when the last lease lets go.
 */
final class SharedClient {
    /**
     * The most registrar threads one client runs: enough that a slow agent holds up at most
     * this many webapps' calls at once (each bounded by the read timeout), few enough that 200
     * webapps add no more; documented in docs/lifecycle.md.
     */
    static final int REGISTRAR_THREADS = 16;
    private static final Duration REGISTRAR_IDLE = Duration.ofSeconds(30);
    final ClientPool.Key key;
    final ScheduledThreadPoolExecutor registrar;
    final ProbeThreads probes = new ProbeThreads();
    final AgentGate gate = new AgentGate();
    final StopCalls stopCalls = new StopCalls();
    /** The containers (base and port) whose orphans were looked for on this client's agent. */
    final Set<String> swept = ConcurrentHashMap.newKeySet();
    final AntiEntropy antiEntropy;
    /** Leases held on this client; guarded by the pool. */
    int leases;
    private final Function<ClientPool.Key, ConsulClient> factory;
    private final Consumer<SharedClient> failed;
    /** Made once, by the first lease, outside the pool's lock; the others wait for it. */
    private final CompletableFuture<ConsulClient> made = new CompletableFuture<>();
    private final AtomicBoolean making = new AtomicBoolean();
    private volatile ConsulClient client;
    private boolean closed; // guarded by this

    /**
     * @param failed what the pool does when making the client fails: forget this one, so that
     *     no later lease gets that failure and the next tries afresh
     * @param beforeEachAntiEntropyPass the pool's clean-up of abandoned webapps
     */
    SharedClient(ClientPool.Key key, Function<ClientPool.Key, ConsulClient> factory, Consumer<SharedClient> failed,
            Runnable beforeEachAntiEntropyPass) {
        this.key = key;
        this.factory = factory;
        this.failed = failed;
        this.registrar = new ScheduledThreadPoolExecutor(REGISTRAR_THREADS, new ExtensionThreads("registrar"));
        registrar.setRemoveOnCancelPolicy(true);
        // threads come as tasks do and go when idle: a quiet container keeps at most one
        registrar.setKeepAliveTime(REGISTRAR_IDLE.toMillis(), TimeUnit.MILLISECONDS);
        registrar.allowCoreThreadTimeOut(true);
        this.antiEntropy = new AntiEntropy(key, registrar, () -> client, beforeEachAntiEntropyPass);
    }

    ConsulClient client() {
        return client;
    }

    /** Makes the client, or waits for the lease that is making it; its failure is every waiter's. */
    void open() {
        if (making.compareAndSet(false, true)) {
            make();
        } else {
            awaitMade();
        }
    }

    private void make() {
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
            failed.accept(this);
            made.completeExceptionally(e);
            throw e;
        }
    }

    private void awaitMade() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    made.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
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

    void close() {
        registrar.shutdownNow();
        stopCalls.close();
        ConsulClient open;
        synchronized (this) {
            closed = true;
            probes.close();
            open = client;
        }
        if (open != null) {
            open.close(); // else the lease making it closes it when done
        }
    }
}
