package io.github.consulservlet.internal.client.watch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.ExtensionThreads;

/**
 * The client's event thread, shared by every context (so every webapp) of a client, with one
 * serial queue per context: a watch listener that blocks holds up only its own context's
 * listeners, never another webapp's watches.
 *
 * <p>Each queue runs its calls one at a time, in order, on the one event thread, a batch at a
 * time so that a busy queue cannot keep the others waiting. A watchdog (every half of
 * {@code stuckAfter}, on the client's scheduler) looks at the call under way: one that has not
 * returned after {@code stuckAfter} keeps that thread, and every other queue moves to a new one.
 * The stuck queue's later calls still run in order on the old thread once its call returns;
 * then that thread ends.
 *
 * <p>Why not a thread per webapp or per watch: the client promises a number of threads that does
 * not grow with webapps and watches, and nearly all listeners return at once. The trade-off:
 * a blocked listener delays the others by up to {@code stuckAfter} (1.5 times, with the
 * watchdog's period) before they move on, and each listener that stays stuck holds one thread;
 * at most {@value #MAX_STUCK} such threads are made, after which the others wait as before and
 * an error says why. A queue holds at most {@code maxQueued} calls: a listener so slow that more
 * wait loses the newest, with one error, rather than the memory of the container.
 */
public final class EventDispatch implements Executor {
    static final Duration STUCK_AFTER = Duration.ofSeconds(2);
    static final int MAX_QUEUED = 10_000;
    static final int MAX_STUCK = 8;
    private static final int BATCH = 32;
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());

    private final ScheduledExecutorService scheduler;
    private final long stuckNanos;
    private final int maxQueued;
    /** For the client's own work (joining and leaving chains): never capped. */
    private final Queue own = new Queue("the client", Integer.MAX_VALUE);
    private final ThreadLocal<Worker> current = new ThreadLocal<>();
    // guarded by this
    private Worker worker;
    private final List<Worker> stuck = new ArrayList<>();
    private ScheduledFuture<?> watchdog;
    private boolean closed;
    private boolean tooManyStuckLogged;

    public EventDispatch(ScheduledExecutorService scheduler) {
        this(scheduler, STUCK_AFTER, MAX_QUEUED);
    }

    public EventDispatch(ScheduledExecutorService scheduler, Duration stuckAfter, int maxQueued) {
        this.scheduler = scheduler;
        this.stuckNanos = stuckAfter.toNanos();
        this.maxQueued = maxQueued;
    }

    /** A serial queue of its own, for one context's listeners; {@code owner} names it in the log. */
    public Queue newQueue(String owner) {
        return new Queue(owner, maxQueued);
    }

    /** Runs {@code task} on the client's own queue. */
    @Override
    public void execute(Runnable task) {
        own.execute(task);
    }

    /** Stops every thread; later calls are refused. */
    public synchronized void shutdownNow() {
        closed = true;
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (worker != null) {
            worker.executor.shutdownNow();
        }
        stuck.forEach(w -> w.executor.shutdownNow());
        stuck.clear();
    }

    /** How many threads run listeners now: 1, plus one per listener that is stuck. */
    public synchronized int threads() {
        stuck.removeIf(w -> w.executor.isTerminated());
        return (worker == null ? 0 : 1) + stuck.size();
    }

    private synchronized void submit(Queue queue) {
        if (closed) {
            throw new RejectedExecutionException("the Consul client is closed");
        }
        if (worker == null) {
            worker = new Worker();
            long period = Math.max(1, TimeUnit.NANOSECONDS.toMillis(stuckNanos) / 2);
            watchdog = scheduler.scheduleWithFixedDelay(this::lookForStuckCalls, period, period, TimeUnit.MILLISECONDS);
        }
        worker.executor.execute(queue::drain);
    }

    private synchronized void lookForStuckCalls() {
        Worker w = worker;
        long since = w == null ? 0 : w.busySince;
        if (closed || since == 0 || System.nanoTime() - since < stuckNanos) {
            return;
        }
        stuck.removeIf(s -> s.executor.isTerminated());
        if (stuck.size() >= MAX_STUCK) {
            if (!tooManyStuckLogged) {
                tooManyStuckLogged = true;
                LOG.log(System.Logger.Level.ERROR, MAX_STUCK + " watch listeners have not returned; the other listeners"
                        + " of this Consul client now wait for " + LogText.remote(w.busyWith) + "'s");
            }
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "a watch listener of " + LogText.remote(w.busyWith) + " has not returned for "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms; the other listeners go on on a new thread");
        List<Runnable> waiting = new ArrayList<>();
        w.executor.getQueue().drainTo(waiting);
        w.executor.shutdown(); // ends once the stuck call and its queue's batch are done
        stuck.add(w);
        worker = new Worker();
        waiting.forEach(worker.executor::execute);
    }

    /** One thread that runs queues. */
    private final class Worker {
        final ThreadPoolExecutor executor;
        /** When the call under way began (nanoTime), 0 when none runs. */
        volatile long busySince;
        volatile String busyWith;

        Worker() {
            ExtensionThreads threads = new ExtensionThreads("events");
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> threads.newThread(() -> {
                current.set(this);
                task.run();
            }));
        }
    }

    private record Call(Runnable task, String what) {
    }

    /** Calls that run one at a time, in order. */
    public final class Queue implements Executor {
        private final String owner;
        private final int max;
        private final ArrayDeque<Call> tasks = new ArrayDeque<>(); // guarded by this
        private boolean scheduled; // guarded by this: a drain is queued or running
        private boolean overflowing; // guarded by this

        private Queue(String owner, int max) {
            this.owner = owner;
            this.max = max;
        }

        @Override
        public void execute(Runnable task) {
            execute(task, owner);
        }

        /** Runs {@code task} in turn; {@code what} names it in the log should it not return. */
        public void execute(Runnable task, String what) {
            synchronized (this) {
                if (tasks.size() >= max) {
                    if (!overflowing) {
                        overflowing = true;
                        LOG.log(System.Logger.Level.ERROR, "the watch listeners of " + LogText.remote(owner) + " have " + max
                                + " calls waiting, the most a context may have; newer ones are dropped until they catch up");
                    }
                    return;
                }
                tasks.add(new Call(task, what));
                if (scheduled) {
                    return;
                }
                scheduled = true;
            }
            try {
                submit(this);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    scheduled = false;
                    tasks.clear();
                }
                throw e;
            }
        }

        private void drain() {
            Worker on = current.get();
            for (int n = 0; n < BATCH; n++) {
                Call task;
                synchronized (this) {
                    task = tasks.poll();
                    if (task == null) {
                        scheduled = false;
                        overflowing = false;
                        return;
                    }
                }
                on.busyWith = task.what;
                on.busySince = System.nanoTime();
                try {
                    task.task.run();
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) { // a queue whose drain died would never run again
                    LOG.log(System.Logger.Level.WARNING, "a call of " + LogText.remote(task.what) + " on the event thread failed: "
                            + LogText.remote(String.valueOf(e)));
                } finally {
                    on.busySince = 0;
                }
            }
            try {
                submit(this); // the rest after the other queues' turn
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    scheduled = false;
                    tasks.clear();
                }
            }
        }
    }
}
