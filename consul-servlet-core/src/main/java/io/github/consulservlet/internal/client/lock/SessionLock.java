package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulSemaphore;
import io.github.consulservlet.LockLost;

/**
 * A lock or a semaphore (its {@link Contest} says which) as callers see it: the public API, with
 * blocking methods that wait for an asynchronous {@link Acquisition}, and the state between the
 * acquisition under way and the current {@link Holding}. {@link HttpLocks} makes it;
 * {@link LeaderElection} uses {@link #acquireAsync} directly.
 */
public final class SessionLock implements ConsulSemaphore {
    private final AsyncKv kv;
    private final String key;
    private final int limit;
    private final Contest contest;
    private final Supplier<LockSession> sessions;
    private final Duration waitTime;
    private final HoldingMonitor monitor;
    private final Consumer<SessionLock> onBusy;
    private final Consumer<SessionLock> onIdle;

    // Guarded by this.
    private Acquisition acquisition;
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
        this.monitor = new HoldingMonitor(kv, contest, monitorRetries, monitorRetryTime, this::lose);
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

    @Override
    public boolean acquire(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a timeout must be 0 or more, was " + timeout);
        }
        return BlockingWait.await(acquireAsync(System.nanoTime() + timeout.toNanos(), timeout.isZero()), this::abandon);
    }

    @Override
    public void acquireInterruptibly() throws InterruptedException {
        BlockingWait.await(acquireAsync(Long.MAX_VALUE, false), this::abandon);
    }

    @Override
    public boolean tryAcquire() {
        return BlockingWait.join(acquireAsync(System.nanoTime(), true));
    }

    /** The caller gave up: the acquisition stops, and a lock it got meanwhile is released. */
    private void abandon(CompletableFuture<Boolean> result) {
        Acquisition running;
        boolean heldAlready;
        synchronized (this) {
            running = acquisition != null && acquisition.result == result ? acquisition : null;
            if (running != null) {
                running.abandoned = true; // seen by won(), under this same lock
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

    /**
     * Starts acquiring: the future answers true when held, false when {@code deadlineNanos}
     * passed first (with {@code once}: after one read and one write), or fails with what made
     * the lock unusable.
     */
    CompletableFuture<Boolean> acquireAsync(long deadlineNanos, boolean once) {
        Acquisition started;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the lock on '" + key + "' belongs to a closed ConsulContext");
            }
            if (current != null) {
                throw new IllegalStateException("the lock on '" + key + "' is already held (HashiCorp's ErrLockHeld)");
            }
            if (acquisition != null) {
                throw new IllegalStateException("the lock on '" + key + "' is being acquired by another call");
            }
            started = new Acquisition(this, kv, contest, waitTime, sessions.get(), deadlineNanos, once);
            acquisition = started;
        }
        onBusy.accept(this);
        started.start();
        return started.result;
    }

    /** Called by {@code won} when a try succeeded: it becomes the current holding, unless it was given up meanwhile. */
    void won(Acquisition won, Contest.Held held) {
        Holding holding;
        synchronized (this) {
            if (acquisition != won || won.abandoned || won.sessionHasEnded()) {
                holding = null; // given up meanwhile: giveUp() below leaves the lock again
            } else {
                acquisition = null;
                holding = new Holding(contest, key, won.session, held.token());
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
        monitor.watch(holding, held.index());
        won.session.onEnd(lost -> lose(holding, lost)); // from now on, a session that ends is a lost lock
    }

    /** Called by {@code ended} when it ends without holding: it is no longer the acquisition under way. */
    synchronized void forget(Acquisition ended) {
        if (acquisition == ended) {
            acquisition = null;
        }
    }

    /** The holding is over by no doing of ours. */
    private void lose(Holding holding, LockLost why) {
        synchronized (this) {
            if (current != holding) {
                return;
            }
            current = null;
        }
        holding.endLost(why);
        idleIfSo();
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
        try {
            holding.release(releaseWaitMillis());
        } finally {
            idleIfSo();
        }
    }

    /** A release waits for a few calls, never longer than this. */
    private long releaseWaitMillis() {
        return kv.runtime.readTimeout.multipliedBy(2).toMillis();
    }

    /** Tells {@code onIdle} when the lock is neither being acquired nor held. */
    void idleIfSo() {
        boolean idle;
        synchronized (this) {
            idle = current == null && acquisition == null;
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
        Acquisition running;
        synchronized (this) {
            running = acquisition;
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
