package io.github.consulservlet.internal.registration;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;

import io.github.consulservlet.spi.ExtensionThreads;

/**
 * The calls a stopping webapp makes to its agent (maintenance, deregistration), each waited for
 * a bounded time only, so that the container stops in at most the drain plus
 * {@link #BUDGET}, whatever the agent does. A call not done in time goes on, on one of at most
 * {@link #THREADS} {@code stop-call} threads made when needed, until the client closes. Owned by
 * the {@link SharedClient}; used by {@link Deregistration}.
 */
final class StopCalls {
    /** How long a stop waits for the agent, all its calls together, on top of the drain. */
    static final Duration BUDGET = Duration.ofSeconds(2);
    /** How long a stop waits for the webapp's locks to be released, before those calls. */
    static final Duration LOCKS_BUDGET = Duration.ofSeconds(1);
    static final int THREADS = 16;
    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), new ExtensionThreads("stop-call"));

    StopCalls() {
        threads.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code call} and waits for it until {@code deadline} (System.nanoTime); whether it ended
     * in time. A late call goes on.
     */
    boolean runUntil(Runnable call, long deadline) {
        return runUntil(call, deadline, false);
    }

    /**
     * As {@link #runUntil(Runnable, long)}, but a call that has not started by the deadline is
     * dropped: at a container's stop, late calls that no longer matter (maintenance before a
     * deregistration) must not queue ahead of the deregistrations of other webapps.
     */
    boolean runUntilOrDrop(Runnable call, long deadline) {
        return runUntil(call, deadline, true);
    }

    private boolean runUntil(Runnable call, long deadline, boolean dropIfNotStarted) {
        Future<?> running;
        try {
            running = threads.submit(call);
        } catch (RejectedExecutionException e) {
            call.run(); // the client is closing: nothing to wait for anyway
            return true;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    running.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return true; // the call logs its own failures
                } catch (TimeoutException e) {
                    if (dropIfNotStarted) {
                        running.cancel(false); // removed if still queued; one under way goes on
                    }
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void close() {
        threads.shutdownNow();
    }
}
