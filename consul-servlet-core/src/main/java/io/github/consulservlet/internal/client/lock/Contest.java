package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.github.consulservlet.LockLost;

/**
 * What a lock and a semaphore do differently, one step at a time, for {@link Acquisition},
 * {@link HoldingMonitor} and {@link Holding} to run: enter the contest, try once to take the lock
 * (reading with a blocking query first), watch a held lock, and leave. Each step is
 * asynchronous and completes on the client's scheduler.
 */
interface Contest {

    /** The outcome of one try. */
    sealed interface Try {
    }

    /** Held, confirmed by a consistent read at {@code index}; {@code token} is the fencing token. */
    record Held(long token, long index) implements Try {
    }

    /** Taken by others: wait for a change past {@code index} (0: read again at once). */
    record Taken(long index) implements Try {
    }

    /** Free but refused, as within a lock delay: try again after the retry time. */
    record Refused() implements Try {
    }

    /** What a look at a held lock found. */
    sealed interface Look {
    }

    /** Still held; the next look blocks past {@code index}. */
    record Still(long index) implements Look {
    }

    /** No longer held, and why. */
    record Gone(LockLost lost) implements Look {
    }

    /** The session name and behavior a lock of this kind's own session gets. */
    String defaultSessionName();

    boolean deletesWithSession();

    /** Before the first try: a semaphore writes its contender key. */
    CompletableFuture<Void> enter(String session);

    /** One try: read (blocking past {@code index} for up to {@code wait}), and write when there is room. */
    CompletableFuture<Try> attempt(String session, long index, Duration wait);

    /** One consistent look at a held lock, blocking past {@code index} for up to {@code wait}. */
    CompletableFuture<Look> look(String session, long index, Duration wait);

    /** Lets go: a lock is released, a semaphore's slot and contender key removed. */
    CompletableFuture<Void> leave(String session);
}
