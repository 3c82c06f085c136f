package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.internal.client.transport.Transport;

/**
 * One acquisition of a {@link SessionLock}, from opening its session to holding the lock or
 * giving up, as the loop of {@code Lock} in {@code api/lock.go}. It owns the tries and the
 * waits between them; {@link SessionLock#acquireAsync} starts it and hears back through
 * {@link SessionLock#won} when a try succeeds.
 */
final class Acquisition {
    private final SessionLock lock;
    private final AsyncKv kv;
    private final Contest contest;
    private final Duration waitTime;
    final LockSession session;
    private final long deadlineNanos;
    private final boolean once;
    /** True when held, false when given up; fails with what made the lock unusable. */
    final CompletableFuture<Boolean> result = new CompletableFuture<>();
    private volatile boolean stopped;
    /** The caller stopped waiting; guarded by {@link #lock}'s monitor, so that {@link SessionLock#won} sees it. */
    boolean abandoned;
    private volatile Future<?> pending;
    private volatile Future<?> timer;
    private volatile LockLost sessionEnded;

    Acquisition(SessionLock lock, AsyncKv kv, Contest contest, Duration waitTime, LockSession session, long deadlineNanos,
            boolean once) {
        this.lock = lock;
        this.kv = kv;
        this.contest = contest;
        this.waitTime = waitTime;
        this.session = session;
        this.deadlineNanos = deadlineNanos;
        this.once = once;
    }

    /** Arms the deadline, opens the session, enters the contest, then tries. */
    void start() {
        if (!once && deadlineNanos != Long.MAX_VALUE) {
            try {
                timer = kv.runtime.scheduler.schedule(this::stop, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                stop();
            }
        }
        track(session.open(this::onSessionEnd).thenCompose(contest::enter)).whenComplete((ok, error) -> {
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

    /** One try, blocking past {@code index}; then holds, waits for a change, pauses, or gives up. */
    private void step(long index) {
        if (stopped) {
            giveUp();
            return;
        }
        track(contest.attempt(session.id(), once ? 0 : index, nextWait())).whenComplete((outcome, error) -> {
            if (error != null) {
                if (stopped) {
                    giveUp();
                } else {
                    fail(error);
                }
            } else if (outcome instanceof Contest.Held held) {
                lock.won(this, held);
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

    /** The wait time, cut to what is left before the deadline (at least a millisecond). */
    private Duration nextWait() {
        long remaining = deadlineNanos - System.nanoTime();
        return deadlineNanos == Long.MAX_VALUE || Duration.ofNanos(remaining).compareTo(waitTime) > 0
                ? waitTime : Duration.ofNanos(Math.max(remaining, TimeUnit.MILLISECONDS.toNanos(1)));
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
        if (call instanceof ScheduledFuture<?> scheduled) {
            if (scheduled.cancel(false)) {
                kv.scheduler().execute(this::giveUp);
            }
        } else if (call != null) {
            call.cancel(true);
        }
    }

    private void onSessionEnd(LockLost lost) {
        sessionEnded = lost;
        stop();
    }

    /** Whether the session ended while this acquisition was under way. */
    boolean sessionHasEnded() {
        return sessionEnded != null;
    }

    /** Ends without holding: false, or a failure when the session ended meanwhile. */
    void giveUp() {
        if (sessionEnded != null) {
            fail(new ConsulUnreachableException("the session of the lock on '" + lock.key() + "' ended while waiting: "
                    + sessionEnded.detail(), null));
            return;
        }
        end(null);
    }

    private void fail(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        end(cause instanceof ConsulException || cause instanceof IllegalStateException ? cause
                : Transport.asConsulException(cause, "acquiring the lock on '" + lock.key() + "'"));
    }

    private void end(Throwable error) {
        if (result.isDone()) {
            return;
        }
        cancelTimer();
        lock.forget(this);
        // a write may have landed after all: leave as Unlock does, then drop our own session
        String id = session.id();
        CompletableFuture<Void> left = id == null ? CompletableFuture.completedFuture(null)
                : contest.leave(id).exceptionally(e -> null);
        left.thenCompose(v -> session.close());
        lock.idleIfSo();
        if (error != null) {
            result.completeExceptionally(error);
        } else {
            result.complete(false);
        }
    }

    void cancelTimer() {
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
