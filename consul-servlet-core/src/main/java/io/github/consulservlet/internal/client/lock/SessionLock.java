package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulSemaphore;
import io.github.consulservlet.ConsulServerException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.transport.Transport;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * A lock or a semaphore (its {@link Contest} says which), run as the Go client runs them: an
 * acquisition opens a session (its own, or the caller's), then tries, waits with blocking
 * queries of the wait time while others hold it, and pauses the retry time after a refusal on a
 * free key; a holding is watched with consistent blocking reads, riding out
 * {@code monitorRetries} failed reads (server errors, no answer) with a pause between, and ends
 * on the first sign of loss, or when the session cannot be renewed within its TTL. Every step
 * is a call in flight or a task on the client's scheduler: no thread waits but the caller's.
 *
 * <p>The blocking methods wait for the asynchronous acquisition; {@link LeaderElection} uses it
 * directly.
 */
public final class SessionLock implements ConsulSemaphore {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());

    private final AsyncKv kv;
    private final String key;
    private final int limit;
    private final Contest contest;
    private final Supplier<LockSession> sessions;
    private final Duration waitTime;
    private final int monitorRetries;
    private final Duration monitorRetryTime;
    private final Duration monitorWait;
    private final Consumer<SessionLock> onBusy;
    private final Consumer<SessionLock> onIdle;

    // Guarded by this.
    private Attempt attempt;
    private Holding current;
    private Holding last;
    private boolean closed;

    SessionLock(AsyncKv kv, String key, int limit, Contest contest, Supplier<LockSession> sessions, Duration waitTime,
            int monitorRetries, Duration monitorRetryTime, Consumer<SessionLock> onBusy, Consumer<SessionLock> onIdle) {
        this.kv = kv;
        this.key = key;
        this.limit = limit;
        this.contest = contest;
        this.sessions = sessions;
        this.waitTime = waitTime;
        this.monitorRetries = monitorRetries;
        this.monitorRetryTime = monitorRetryTime;
        this.monitorWait = kv.runtime.watchWait;
        this.onBusy = onBusy;
        this.onIdle = onIdle;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public int limit() {
        return limit;
    }

    // ------------------------------------------------------------------ blocking API

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a timeout must be 0 or more, was " + timeout);
        }
        return await(acquireAsync(System.nanoTime() + timeout.toNanos(), timeout.isZero()));
    }

    @Override
    public void acquireInterruptibly() throws InterruptedException {
        await(acquireAsync(Long.MAX_VALUE, false));
    }

    @Override
    public boolean tryAcquire() {
        CompletableFuture<Boolean> result = acquireAsync(System.nanoTime(), true);
        try {
            return result.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        }
    }

    private boolean await(CompletableFuture<Boolean> result) throws InterruptedException {
        try {
            return result.get();
        } catch (InterruptedException e) {
            abandon(result);
            throw e;
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new ConsulUnreachableException("acquiring the lock failed: " + cause, cause);
    }

    /** The caller gave up: the attempt stops, and a lock it got meanwhile is released. */
    private void abandon(CompletableFuture<Boolean> result) {
        Attempt running;
        boolean heldAlready;
        synchronized (this) {
            running = attempt != null && attempt.result == result ? attempt : null;
            if (running != null) {
                running.abandoned = true; // seen by hold(), under this same lock
            }
            heldAlready = running == null && result.isDone() && !result.isCompletedExceptionally() && result.join();
        }
        if (running != null) {
            running.stop();
        }
        if (heldAlready) {
            release();
        }
    }

    // ------------------------------------------------------------------ asynchronous acquisition

    /**
     * Starts acquiring: the future answers true when held, false when {@code deadlineNanos}
     * passed first (with {@code once}: after one read and one write), or fails with what made
     * the lock unusable.
     */
    CompletableFuture<Boolean> acquireAsync(long deadlineNanos, boolean once) {
        Attempt started;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the lock on '" + key + "' belongs to a closed ConsulContext");
            }
            if (current != null) {
                throw new IllegalStateException("the lock on '" + key + "' is already held (HashiCorp's ErrLockHeld)");
            }
            if (attempt != null) {
                throw new IllegalStateException("the lock on '" + key + "' is being acquired by another call");
            }
            started = new Attempt(sessions.get(), deadlineNanos, once);
            attempt = started;
        }
        onBusy.accept(this);
        started.start();
        return started.result;
    }

    /** One acquisition, from opening its session to holding the lock or giving up. */
    private final class Attempt {
        final LockSession session;
        final long deadlineNanos;
        final boolean once;
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        volatile boolean stopped;
        boolean abandoned; // guarded by SessionLock.this
        volatile Future<?> pending;
        volatile Future<?> timer;
        volatile LockLost sessionEnded;

        Attempt(LockSession session, long deadlineNanos, boolean once) {
            this.session = session;
            this.deadlineNanos = deadlineNanos;
            this.once = once;
        }

        void start() {
            if (!once && deadlineNanos != Long.MAX_VALUE) {
                try {
                    timer = kv.runtime.scheduler.schedule(this::stop, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    stop();
                }
            }
            track(session.open(lost -> sessionEnded(lost)).thenCompose(contest::enter)).whenComplete((ok, error) -> {
                if (stopped) {
                    giveUp();
                } else if (error != null) {
                    fail(error);
                } else {
                    step(0);
                }
            });
        }

        private <T> CompletableFuture<T> track(CompletableFuture<T> call) {
            pending = call;
            return call;
        }

        void step(long index) {
            if (stopped) {
                giveUp();
                return;
            }
            long remaining = deadlineNanos - System.nanoTime();
            Duration wait = deadlineNanos == Long.MAX_VALUE || Duration.ofNanos(remaining).compareTo(waitTime) > 0
                    ? waitTime : Duration.ofNanos(Math.max(remaining, TimeUnit.MILLISECONDS.toNanos(1)));
            track(contest.attempt(session.id(), once ? 0 : index, wait)).whenComplete((outcome, error) -> {
                if (error != null) {
                    if (stopped) {
                        giveUp();
                    } else {
                        fail(error);
                    }
                } else if (outcome instanceof Contest.Held held) {
                    hold(this, held);
                } else if (once || stopped || System.nanoTime() - deadlineNanos >= 0) {
                    giveUp();
                } else if (outcome instanceof Contest.Taken taken) {
                    step(taken.index());
                } else {
                    long pause = Math.min(GoClientDefaults.LOCK_RETRY_TIME.toNanos(), deadlineNanos - System.nanoTime());
                    later(() -> step(0), pause);
                }
            });
        }

        private void later(Runnable task, long nanos) {
            try {
                pending = kv.runtime.scheduler.schedule(task, Math.max(0, nanos), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                stopped = true;
                giveUp();
            }
        }

        /** The timeout passed or the caller gave up: the read in flight is cut short (a write is left to finish). */
        void stop() {
            stopped = true;
            Future<?> call = pending;
            if (call instanceof java.util.concurrent.ScheduledFuture<?> scheduled) {
                if (scheduled.cancel(false)) {
                    kv.scheduler().execute(this::giveUp);
                }
            } else if (call != null) {
                call.cancel(true);
            }
        }

        void sessionEnded(LockLost lost) {
            sessionEnded = lost;
            stop();
        }

        void giveUp() {
            if (sessionEnded != null) {
                fail(new ConsulUnreachableException("the session of the lock on '" + key + "' ended while waiting: "
                        + sessionEnded.detail(), null));
                return;
            }
            end(false, null);
        }

        void fail(Throwable error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            end(false, cause instanceof ConsulException || cause instanceof IllegalStateException ? cause
                    : Transport.asConsulException(cause, "acquiring the lock on '" + key + "'"));
        }

        private void end(boolean held, Throwable error) {
            if (result.isDone()) {
                return;
            }
            cancelTimer();
            synchronized (SessionLock.this) {
                if (attempt == this) {
                    attempt = null;
                }
            }
            // a write may have landed after all: leave as Unlock does, then drop our own session
            String id = session.id();
            CompletableFuture<Void> left = id == null ? CompletableFuture.completedFuture(null)
                    : contest.leave(id).exceptionally(e -> null);
            left.thenCompose(v -> session.close());
            idleIfSo();
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(held);
            }
        }

        void cancelTimer() {
            Future<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    private void hold(Attempt won, Contest.Held held) {
        Holding holding;
        synchronized (this) {
            if (attempt != won || won.abandoned || won.sessionEnded != null) {
                holding = null; // given up meanwhile: end() below leaves the lock again
            } else {
                attempt = null;
                holding = new Holding(won.session, held.token());
                current = holding;
                last = holding;
                won.result.complete(true); // under the lock, so that abandon() sees either this or not yet held
            }
        }
        won.cancelTimer();
        if (holding == null) {
            won.giveUp();
            return;
        }
        watch(holding, held.index(), monitorRetries);
        won.session.onEnd(lost -> lose(holding, lost)); // from now on, a session that ends is a lost lock
    }

    // ------------------------------------------------------------------ holding

    /** One holding: from the acquisition to its loss or release. */
    private static final class Holding {
        final LockSession session;
        final long token;
        final CompletableFuture<LockLost> lost = new CompletableFuture<>();
        volatile Future<?> pending;

        Holding(LockSession session, long token) {
            this.session = session;
            this.token = token;
        }
    }

    /** monitorLock: a consistent blocking read at a time, until the lock is seen gone. */
    private void watch(Holding holding, long index, int retriesLeft) {
        if (holding.lost.isDone()) {
            return;
        }
        CompletableFuture<Contest.Look> look = contest.look(holding.session.id(), index, monitorWait);
        holding.pending = look;
        look.whenComplete((seen, error) -> {
            if (holding.lost.isDone()) {
                return;
            }
            if (error == null) {
                if (seen instanceof Contest.Still still) {
                    watch(holding, still.index(), monitorRetries); // a good read: the retries start over
                } else {
                    lose(holding, ((Contest.Gone) seen).lost());
                }
                return;
            }
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
                            monitorRetryTime.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    lose(holding, new LockLost(LockLost.Cause.AGENT_UNREACHABLE, "the Consul client is closing"));
                }
                return;
            }
            lose(holding, new LockLost(LockLost.Cause.AGENT_UNREACHABLE, "watching the lock on '" + key + "' failed: "
                    + LogText.remote(String.valueOf(cause.getMessage()))));
        });
    }

    /** The holding is over by no doing of ours: say so, then tidy up what may be left. */
    private void lose(Holding holding, LockLost why) {
        synchronized (this) {
            if (current != holding) {
                return;
            }
            current = null;
        }
        stopWatching(holding);
        LOG.log(System.Logger.Level.INFO, "lost the lock on '" + key + "': " + why.cause() + ", " + why.detail());
        holding.lost.complete(why);
        contest.leave(holding.session.id()).exceptionally(e -> null).thenCompose(v -> holding.session.close());
        idleIfSo();
    }

    private static void stopWatching(Holding holding) {
        Future<?> step = holding.pending;
        if (step != null) {
            step.cancel(true);
        }
    }

    @Override
    public void release() {
        Holding holding;
        synchronized (this) {
            holding = current;
            current = null;
        }
        if (holding == null) {
            return;
        }
        stopWatching(holding);
        try {
            contest.leave(holding.session.id()).exceptionally(e -> {
                LOG.log(System.Logger.Level.WARNING, "could not release the lock on '" + key + "'; its session is destroyed instead: "
                        + LogText.remote(String.valueOf(e.getMessage())));
                return null;
            }).thenCompose(v -> holding.session.close()).get(releaseWaitMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the lock on '" + key + "' did not finish: " + LogText.remote(String.valueOf(e)));
        } finally {
            holding.lost.complete(new LockLost(LockLost.Cause.RELEASED, "released"));
            idleIfSo();
        }
    }

    /** A release waits for a few calls, never longer than this. */
    private long releaseWaitMillis() {
        return kv.runtime.readTimeout.multipliedBy(2).toMillis();
    }

    private void idleIfSo() {
        boolean idle;
        synchronized (this) {
            idle = current == null && attempt == null;
        }
        if (idle) {
            onIdle.accept(this);
        }
    }

    @Override
    public synchronized boolean isHeld() {
        return current != null;
    }

    @Override
    public CompletionStage<LockLost> lost() {
        return latest().lost.minimalCompletionStage();
    }

    @Override
    public long fencingIndex() {
        return latest().token;
    }

    @Override
    public synchronized Optional<String> session() {
        return last == null ? Optional.empty() : Optional.ofNullable(last.session.id());
    }

    private synchronized Holding latest() {
        if (last == null) {
            throw new IllegalStateException("the lock on '" + key + "' was never acquired");
        }
        return last;
    }

    /** Stops an acquisition under way and releases a holding. */
    @Override
    public void close() {
        Attempt running;
        synchronized (this) {
            running = attempt;
        }
        if (running != null) {
            running.stop();
        }
        release();
    }

    /** As {@link #close()}, and refuses acquisitions from now on: the context is closing. */
    void closeForGood() {
        synchronized (this) {
            closed = true;
        }
        close();
    }

    @Override
    public String toString() {
        return (limit == 1 ? "lock on '" : "semaphore of " + limit + " on '") + key + "'" + (isHeld() ? ", held" : "");
    }
}
