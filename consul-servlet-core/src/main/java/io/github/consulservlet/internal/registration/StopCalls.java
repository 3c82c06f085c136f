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
    static final int THREADS = 16;
    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), new ExtensionThreads("stop-call"));

    StopCalls() {
        threads.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code call} and waits for it until {@code deadline} (System.nanoTime); whether it ended in time. */
    boolean runUntil(Runnable call, long deadline) {
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
