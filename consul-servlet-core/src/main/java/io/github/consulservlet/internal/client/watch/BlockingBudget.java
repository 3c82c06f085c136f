package io.github.consulservlet.internal.client.watch;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many blocking queries may hold a pooled connection at once. Each one holds its
 * connection for up to its whole wait, so without a limit enough watches would take every
 * connection and leave registration and TTL updates waiting until they time out; a quarter of
 * the pool, at least 4 connections, stays for ordinary calls (a pool of 5 or fewer gives
 * blocking queries one). Queries over the budget queue, without a thread, in arrival order.
 */
public final class BlockingBudget {
    private final int places;
    private final Deque<Runnable> queue = new ArrayDeque<>();
    private int taken;

    public BlockingBudget(int places) {
        this.places = places;
    }

    /** The budget for a pool of {@code maxConnections}. */
    public static int forPool(int maxConnections) {
        return Math.max(1, maxConnections - Math.max(4, maxConnections / 4));
    }

    /** Runs {@code start} once a place is free, and frees it when {@code call} completes. */
    public void run(Runnable start, CompletableFuture<?> call) {
        AtomicBoolean freed = new AtomicBoolean();
        Runnable free = () -> {
            if (freed.compareAndSet(false, true)) {
                leave();
            }
        };
        Runnable enter = () -> {
            call.whenComplete((answer, error) -> free.run());
            if (!call.isDone()) {
                try {
                    start.run();
                } catch (RuntimeException e) { // complete the call, so its place is freed for the next
                    call.completeExceptionally(e);
                }
            }
        };
        boolean now;
        synchronized (this) {
            now = taken < places;
            if (now) {
                taken++;
            } else {
                queue.add(enter);
            }
        }
        if (now) {
            enter.run();
        } else {
            // A call given up while it queues (a closed watch) leaves the queue at once.
            call.whenComplete((answer, error) -> {
                synchronized (this) {
                    queue.remove(enter);
                }
            });
        }
    }

    private void leave() {
        Runnable next;
        synchronized (this) {
            next = queue.poll();
            if (next == null) {
                taken--;
                return;
            }
        }
        next.run(); // the place passes straight to the next query
    }
}
