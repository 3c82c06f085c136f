package io.github.consulservlet.internal.client;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;
import io.github.consulservlet.internal.client.watch.EventDispatch;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * What one context started, so that closing the context stops exactly that: its watches, and the
 * sessions it created, whose locks would otherwise stay held by a webapp that is gone. A session
 * leaves the set when destroyed through the context or found gone at renewal.
 */
public final class Scope {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());
    private static final long SESSION_CLEANUP_WAIT_MILLIS = 2_000;

    private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE = new java.util.concurrent.atomic.AtomicInteger();

    private final ClientRuntime runtime;
    /** This context's watch listeners run here, in turn: one that blocks holds up no other context's. */
    private final EventDispatch.Queue listeners;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final Set<OwnedSession> sessions = ConcurrentHashMap.newKeySet();
    private final boolean ownsSessions;
    private final List<Runnable> firstOnClose = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    Scope(ClientRuntime runtime, boolean ownsSessions) {
        this.runtime = runtime;
        this.ownsSessions = ownsSessions;
        this.listeners = runtime.events.newQueue("context #" + SEQUENCE.incrementAndGet());
    }

    /** Starts a watch of what {@code query} reads, as {@code reader} reads it. */
    public <T> Watch watch(Supplier<Request> query, Function<Response, T> reader, WatchListener<? super T> listener) {
        Watch watch = runtime.watches.watch(query, reader, listener, watches::remove, listeners);
        watches.add(watch);
        if (closed) { // checked after adding, so a close() running meanwhile cannot miss this watch
            watch.close();
            throw new ConsulUnreachableException("cannot start a watch: its ConsulContext is closed", null);
        }
        return watch;
    }

    /** Runs {@code task} on this context's listener queue, as a watch's listener would be called. */
    public void runListener(Runnable task, String owner) {
        try {
            listeners.execute(task, owner);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the client is closing
        }
    }

    /** Has {@code task} run first when this scope closes, before its watches stop and its sessions go: the locks. */
    public void onCloseFirst(Runnable task) {
        firstOnClose.add(task);
    }

    /** Remembers a session to destroy on close; destroys it at once if the scope closed meanwhile. */
    public void ownSession(String id, String datacenter) {
        if (!ownsSessions) {
            return;
        }
        OwnedSession session = new OwnedSession(id, datacenter);
        sessions.add(session);
        if (closed && sessions.remove(session)) {
            destroy(List.of(session));
        }
    }

    public void disownSession(String id) {
        sessions.removeIf(session -> session.id().equals(id));
    }

    int watchCount() {
        return watches.size();
    }

    void close() {
        for (Runnable task : firstOnClose) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "releasing the locks of a closing context failed: " + LogText.remote(String.valueOf(e)));
            }
        }
        closed = true;
        for (Watch watch : List.copyOf(watches)) {
            watch.close();
        }
        List<OwnedSession> owned = List.copyOf(sessions);
        owned.forEach(sessions::remove);
        destroy(owned);
    }

    /** Destroys sessions all at once, waiting a bounded time: an unreachable agent must not hold up a stop. */
    private void destroy(List<OwnedSession> owned) {
        if (owned.isEmpty()) {
            return;
        }
        List<CompletableFuture<Response>> calls = owned.stream()
                .map(s -> runtime.transport.send(runtime.datacenter(Request.put("/v1/session/destroy", s.id()), s.datacenter())))
                .toList();
        try {
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                    .get(SESSION_CLEANUP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "could not destroy the sessions " + owned.stream().map(OwnedSession::id).toList()
                    + " of a closing context; Consul invalidates them when their TTL or checks fail: " + LogText.remote(String.valueOf(e)));
        }
    }

    private record OwnedSession(String id, String datacenter) {
    }
}
