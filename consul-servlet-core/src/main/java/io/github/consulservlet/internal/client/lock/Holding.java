package io.github.consulservlet.internal.client.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.consulservlet.LockLost;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * One holding of a lock, from the acquisition to its loss or release: its session, its fencing
 * token, the future that tells how it ended, and letting go of it. {@link SessionLock} makes it
 * and ends it; {@link HoldingMonitor} watches it.
 */
final class Holding {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());

    private final Contest contest;
    private final String key;
    final LockSession session;
    final long token;
    final CompletableFuture<LockLost> lost = new CompletableFuture<>();
    /** The watching read in flight, or the pause before the next one. */
    volatile Future<?> pending;

    Holding(Contest contest, String key, LockSession session, long token) {
        this.contest = contest;
        this.key = key;
        this.session = session;
        this.token = token;
    }

    String key() {
        return key;
    }

    /** Lost by no doing of ours: says so, then tidies up what may be left. */
    void endLost(LockLost why) {
        stopWatching();
        LOG.log(System.Logger.Level.INFO, "lost the lock on '" + key + "': " + why.cause() + ", " + why.detail());
        lost.complete(why);
        contest.leave(session.id()).exceptionally(e -> null).thenCompose(v -> session.close());
    }

    /** Lets go, waiting for it at most {@code waitMillis}; a lock that cannot be released loses its session instead. */
    void release(long waitMillis) {
        stopWatching();
        try {
            contest.leave(session.id()).exceptionally(e -> {
                LOG.log(System.Logger.Level.WARNING, "could not release the lock on '" + key + "'; its session is destroyed instead: "
                        + LogText.remote(String.valueOf(e.getMessage())));
                return null;
            }).thenCompose(v -> session.close()).get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the lock on '" + key + "' did not finish: " + LogText.remote(String.valueOf(e)));
        } finally {
            lost.complete(new LockLost(LockLost.Cause.RELEASED, "released"));
        }
    }

    private void stopWatching() {
        Future<?> step = pending;
        if (step != null) {
            step.cancel(true);
        }
    }
}
