package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.internal.client.LogText;

/**
 * Watches the holdings of one lock as {@code monitorLock} in {@code api/lock.go} does: one
 * consistent blocking read at a time until the lock is seen gone, riding out
 * {@code monitorRetries} failed reads in a row (no answer, or a server error) with a pause
 * between. {@link SessionLock} starts it on each holding and hears through {@code onLost} when
 * one is seen lost; it stops once the holding has ended.
 */
final class HoldingMonitor {
    private final AsyncKv kv;
    private final Contest contest;
    private final int retries;
    private final Duration retryTime;
    private final Duration wait;
    private final BiConsumer<Holding, LockLost> onLost;

    HoldingMonitor(AsyncKv kv, Contest contest, int retries, Duration retryTime, BiConsumer<Holding, LockLost> onLost) {
        this.kv = kv;
        this.contest = contest;
        this.retries = retries;
        this.retryTime = retryTime;
        this.wait = kv.runtime.watchWait;
        this.onLost = onLost;
    }

    /** Starts watching {@code holding}, blocking past {@code index}, the index its acquisition was confirmed at. */
    void watch(Holding holding, long index) {
        watch(holding, index, retries);
    }

    private void watch(Holding holding, long index, int retriesLeft) {
        if (holding.lost.isDone()) {
            return;
        }
        CompletableFuture<Contest.Look> look = contest.look(holding.session.id(), index, wait);
        holding.pending = look;
        look.whenComplete((seen, error) -> {
            if (holding.lost.isDone()) {
                return;
            }
            if (error != null) {
                failed(holding, error, retriesLeft);
            } else if (seen instanceof Contest.Still still) {
                watch(holding, still.index(), retries); // a good read: the retries start over
            } else {
                onLost.accept(holding, ((Contest.Gone) seen).lost());
            }
        });
    }

    /** A read failed: retried after the retry time while retries are left and the error may pass, else the lock is lost. */
    private void failed(Holding holding, Throwable error, int retriesLeft) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CancellationException) {
            return;
        }
        // IsRetryableError in api/api.go: no answer, or a server error
        boolean retryable = cause instanceof ConsulUnreachableException || cause instanceof ConsulServerException
                || !(cause instanceof ConsulException);
        if (retriesLeft > 0 && retryable) {
            try {
                holding.pending = kv.runtime.scheduler.schedule(() -> watch(holding, 0, retriesLeft - 1),
                        retryTime.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                onLost.accept(holding, new LockLost(LockLost.Cause.AGENT_UNREACHABLE, "the Consul client is closing"));
            }
            return;
        }
        onLost.accept(holding, new LockLost(LockLost.Cause.AGENT_UNREACHABLE, "watching the lock on '" + holding.key() + "' failed: "
                + LogText.remote(String.valueOf(cause.getMessage()))));
    }
}
