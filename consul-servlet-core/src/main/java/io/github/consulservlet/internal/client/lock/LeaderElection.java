package io.github.consulservlet.internal.client.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.consulservlet.Leadership;
import io.github.consulservlet.LeaderListener;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.Scope;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * Leadership on one key: acquires the lock with no deadline, tells the listener, and when the
 * lock is lost contends again at once (the acquisition itself waits out a lock delay); after an
 * error it contends again after the Go client's retry time. No thread waits: the acquisition
 * rides the lock's asynchronous steps, and the listener runs on its context's event queue.
 */
final class LeaderElection implements Leadership {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());

    /** How long close() waits for the listener to hear it no longer leads before letting the lock go. */
    private static final long REVOKE_WAIT_SECONDS = 2;

    private final SessionLock lock;
    private final LeaderListener listener;
    private final ClientRuntime runtime;
    private final Scope scope;
    private final Consumer<LeaderElection> onClose;
    private volatile boolean closed;
    /** Whether the listener was told it leads and not yet told it no longer does. */
    private final AtomicBoolean leading = new AtomicBoolean();

    LeaderElection(SessionLock lock, LeaderListener listener, ClientRuntime runtime, Scope scope, Consumer<LeaderElection> onClose) {
        this.lock = lock;
        this.listener = listener;
        this.runtime = runtime;
        this.scope = scope;
        this.onClose = onClose;
    }

    void start() {
        contend();
    }

    private void contend() {
        if (closed) {
            return;
        }
        CompletableFuture<Boolean> acquired;
        try {
            acquired = lock.acquireAsync(Long.MAX_VALUE, false);
        } catch (IllegalStateException e) {
            return; // closed meanwhile
        }
        acquired.whenComplete((held, error) -> {
            if (error != null || !Boolean.TRUE.equals(held)) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "contending for leadership on '" + lock.key() + "' failed, trying again in "
                            + GoClientDefaults.LOCK_RETRY_TIME.toSeconds() + "s: " + LogText.remote(String.valueOf(error)));
                    later();
                }
                return;
            }
            if (closed) {
                lock.release();
                return;
            }
            leading.set(true);
            scope.runListener(() -> listener.elected(lock), listener.getClass().getName());
            lock.lost().thenAccept(this::revoked);
        });
    }

    private void revoked(LockLost why) {
        if (leading.compareAndSet(true, false)) { // close() may have told the listener already
            scope.runListener(() -> listener.revoked(why), listener.getClass().getName());
        }
        if (!closed) {
            contend();
        }
    }

    private void later() {
        try {
            runtime.scheduler.schedule(this::contend, GoClientDefaults.LOCK_RETRY_TIME.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing
        }
    }

    @Override
    public boolean isLeader() {
        return leading.get() && lock.isHeld();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (leading.compareAndSet(true, false)) {
            revokeBeforeRelease();
        }
        lock.close();
        onClose.accept(this);
    }

    /**
     * Tells the listener it no longer leads and waits for it (a bounded time) before the lock is
     * let go: the next leader must not start while this one still works as leader.
     */
    private void revokeBeforeRelease() {
        CompletableFuture<Void> heard = new CompletableFuture<>();
        scope.runListener(() -> {
            try {
                listener.revoked(new LockLost(LockLost.Cause.RELEASED, "the leadership was closed"));
            } finally {
                heard.complete(null);
            }
        }, listener.getClass().getName());
        try {
            heard.get(REVOKE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a listener that does not return (or close() called from a listener) must not keep the lock for ever
        }
    }

    @Override
    public String toString() {
        return "leadership on '" + lock.key() + "'" + (isLeader() ? ", leader" : "");
    }
}
