package io.github.consulservlet.internal.client.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;
import io.github.consulservlet.internal.client.Backoff;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.json.GoDuration;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;
import io.github.consulservlet.internal.client.transport.Transport;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * A chain of blocking queries, as Consul's
 * <a href="https://developer.hashicorp.com/consul/api-docs/features/blocking">blocking query</a>
 * page prescribes: each query carries the last {@code X-Consul-Index} and a {@code wait}; an
 * index that goes backwards, or a failed query, resets it to 0 (one plain read to resynchronise: an
 * agent that restarted would hold a query at an index it has not reached); an index below 1 is
 * raised to 1 so the next query blocks; an answer that comes back at once with the same index is
 * not a change and is asked again only after a short backoff, so a misbehaving server never
 * makes us spin; data that changes all the time is followed at a limited rate (a burst of
 * {@value #BURST} queries, then one a second); errors back off with jitter. The listener hears of
 * data only when the index moved and the data differs from what it last heard.
 *
 * <p>No thread is held between answers: answers are read on the client's scheduler thread,
 * never on the I/O thread, and listeners are called on its event thread.
 */
final class BlockingWatch<T> implements Watch {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());
    private static final int BURST = 3;
    private static final long REFILL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Backoff EARLY_ANSWER = Backoff.WATCH_EARLY_ANSWER;
    private static final long EARLY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Supplier<Request> query;
    private final Function<Response, T> reader;
    private final WatchListener<? super T> listener;
    private final ClientRuntime runtime;

    private volatile boolean closed;
    private volatile Future<?> pending;
    // The chain runs one step at a time, so these are never touched concurrently.
    private long index;
    private int failures;
    private int earlyAnswers;
    private double tokens = BURST;
    private long refilledAt = System.nanoTime();
    private boolean delivered;
    private T last;

    /**
     * @param query makes the plain read; the watch adds {@code index} and {@code wait} to it
     * @param reader reads an answer, or throws the {@link ConsulException} it stands for
     */
    BlockingWatch(Supplier<Request> query, Function<Response, T> reader, WatchListener<? super T> listener,
            ClientRuntime runtime) {
        this.query = query;
        this.reader = reader;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.runtime = runtime;
    }

    void start() {
        issue();
    }

    private void issue() {
        if (closed) {
            return;
        }
        long asked = index;
        long started = System.nanoTime();
        Request request = query.get().bulk();
        Duration wait = runtime.watchWait;
        if (asked > 0) {
            request.param("index", Long.toString(asked)).param("wait", GoDuration.format(wait));
            // Consul may hold the answer up to wait + wait/16 of jitter; the read timeout is a margin on top.
            request.responseTimeout = wait.plus(wait.dividedBy(16)).plus(runtime.readTimeout);
        }
        CompletableFuture<Response> future = runtime.transport.send(request);
        pending = future;
        if (closed) {
            future.cancel(true);
            return;
        }
        future.whenCompleteAsync((response, error) -> answered(asked, started, response, error), this::onScheduler);
    }

    private void onScheduler(Runnable step) {
        try {
            runtime.scheduler.execute(step);
        } catch (RejectedExecutionException e) {
            closed = true; // the client is closing
        }
    }

    private void answered(long asked, long started, Response response, Throwable error) {
        if (closed) {
            return;
        }
        ConsulException failure;
        if (error == null) {
            try {
                if (response.index < 0) {
                    // the chain's next query would ask for an index it cannot know: not data, an error
                    throw new ConsulResponseException(response.status, response.request + " answered HTTP "
                            + response.status + " with an X-Consul-Index that is not a number of 0 or more", null);
                }
                T value = reader.apply(response);
                changed(asked, started, response.index, value);
                return;
            } catch (RuntimeException e) {
                failure = Transport.asConsulException(e, response.request);
            }
        } else {
            failure = Transport.asConsulException(error, "watch");
        }
        failures++;
        // The agent may have restarted meanwhile with its indexes starting over, and Consul holds
        // a query until its index passes the one asked: at the old index the retry would wait the
        // whole wait, blind to every change. So the retry is a plain read, as after an index that
        // went backwards.
        index = 0;
        long delay = runtime.backoff.delayMillis(failures);
        LOG.log(System.Logger.Level.DEBUG, () -> "watch failed, retrying in " + delay + " ms: " + LogText.remote(failure.getMessage()));
        notify(() -> listener.onError(failure));
        later(delay);
    }

    private void changed(long asked, long started, long reported, T value) {
        failures = 0;
        long current = Math.max(1, reported); // an index below 1 would make the next query return at once
        boolean moved = current != asked;
        index = current < asked ? 0 : current; // backwards: read once without blocking, then follow
        if (!delivered || (moved && !Objects.equals(last, value))) {
            delivered = true;
            last = value;
            notify(() -> listener.onChange(value));
        }
        if (!moved) {
            boolean early = System.nanoTime() - started < Math.min(EARLY_NANOS, runtime.watchWait.toNanos() / 2);
            earlyAnswers = early ? earlyAnswers + 1 : 0;
            if (early) {
                later(EARLY_ANSWER.delayMillis(earlyAnswers));
                return;
            }
        }
        long throttle = takeToken();
        if (throttle > 0) {
            later(TimeUnit.NANOSECONDS.toMillis(throttle) + 1);
        } else {
            issue();
        }
    }

    /** A token of the rate limit: 0 when the next query may go now, else the nanoseconds to wait. */
    private long takeToken() {
        long now = System.nanoTime();
        tokens = Math.min(BURST, tokens + (double) (now - refilledAt) / REFILL_NANOS);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) ((1 - tokens) * REFILL_NANOS);
    }

    /** Runs a listener call on the event thread, unless the watch is closed by then. */
    private void notify(Runnable call) {
        try {
            runtime.events.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    call.run();
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    LOG.log(System.Logger.Level.WARNING, "a watch listener failed: " + LogText.remote(String.valueOf(e)));
                    LOG.log(System.Logger.Level.DEBUG, "the watch listener's failure", e); // the trace, for whoever asks
                }
            });
        } catch (RejectedExecutionException e) {
            closed = true; // the client is closing
        }
    }

    private void later(long delayMillis) {
        try {
            pending = runtime.scheduler.schedule(this::issue, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            closed = true; // the client is closing
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Future<?> step = pending; // the query in flight or the retry scheduled: either would keep us reachable
        if (step != null) {
            step.cancel(true);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }
}
