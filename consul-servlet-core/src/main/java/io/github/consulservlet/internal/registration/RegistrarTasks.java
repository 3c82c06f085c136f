package io.github.consulservlet.internal.registration;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One webapp's work on the shared registrar threads: one next step at a time (the registration,
 * its retry, or the next TTL report), tasks run as soon as the thread is free, and retries of
 * their own. No task dies silently: what one throws unexpectedly is logged, at ERROR once per
 * webapp. Owned by the webapp's {@link Instance}; used by every part of its registration.
 * Nothing is scheduled once the webapp is stopping, or once the shared client closes.
 */
final class RegistrarTasks {
    private final String webapp;
    private final ClientPool.Lease lease;
    private final BooleanSupplier stopping;
    private final AtomicBoolean unexpectedLogged = new AtomicBoolean();
    // guarded by this
    private ScheduledFuture<?> next;

    RegistrarTasks(String webapp, ClientPool.Lease lease, BooleanSupplier stopping) {
        this.webapp = webapp;
        this.lease = lease;
        this.stopping = stopping;
    }

    /** Makes {@code task} the webapp's next step, in place of the one scheduled before. */
    synchronized void schedule(Runnable task, long delayMillis) {
        cancel();
        if (stopping.getAsBoolean()) {
            return;
        }
        try {
            next = lease.registrar().schedule(guarded(task), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            next = null; // the shared client is closing with the last webapp
        }
    }

    synchronized void cancel() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    /** Runs {@code task} as soon as a registrar thread is free, beside the next step. */
    void submit(Runnable task) {
        try {
            lease.registrar().execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // the shared client is closing with the last webapp
        }
    }

    /** Runs {@code task} after {@code delayMillis}, beside the next step: a retry of its own. */
    void later(Runnable task, long delayMillis) {
        try {
            lease.registrar().schedule(guarded(task), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the shared client is closing with the last webapp
        }
    }

    /** A task that cannot die silently: the executor would drop what it throws. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                RegistrationLog.taskFailed(unexpectedLogged.compareAndSet(false, true), webapp, e);
            }
        };
    }
}
