package io.github.consulservlet.client;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;

/**
 * A chain of blocking queries, as Consul's
 * <a href="https://developer.hashicorp.com/consul/api-docs/features/blocking">blocking query</a>
 * page prescribes: each query carries the last {@code X-Consul-Index} and a {@code wait}; an
 * index that goes backwards is reset to 0 (one plain read to resynchronise); an index below 1 is
 * raised to 1 so the next query blocks; an answer that comes back early with the same index is
 * not a change and is retried after a backoff rather than at once, so a misbehaving server never
 * makes us spin; errors back off with jitter. The listener hears of data only when the index
 * moved and the data differs from what it last heard. No thread is held between answers.
 */
final class BlockingWatch<T> implements Watch {
    private static final System.Logger LOG = System.getLogger(ConsulClient.class.getName());

    private final Supplier<Request> query;
    private final Function<Response, T> reader;
    private final WatchListener<? super T> listener;
    private final ClientRuntime runtime;
    private final Consumer<BlockingWatch<?>> onClose;

    private volatile boolean closed;
    private volatile CompletableFuture<Response> inFlight;
    // The chain runs one query at a time, so these are never touched concurrently.
    private long index;
    private int failures;
    private int earlyAnswers;
    private boolean delivered;
    private T last;

    /**
     * @param query makes the plain read; the watch adds {@code index} and {@code wait} to it
     * @param reader reads an answer, or throws the {@link ConsulException} it stands for
     */
    BlockingWatch(Supplier<Request> query, Function<Response, T> reader, WatchListener<? super T> listener,
            ClientRuntime runtime, Consumer<BlockingWatch<?>> onClose) {
        this.query = query;
        this.reader = reader;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.runtime = runtime;
        this.onClose = onClose;
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
        Request request = query.get();
        if (asked > 0) {
            request.param("index", Long.toString(asked)).param("wait", GoDuration.format(runtime.watchWait));
            // Consul may hold the answer up to wait + wait/16 of jitter; the read timeout is a margin on top.
            request.responseTimeout = runtime.watchWait.plus(runtime.watchWait.dividedBy(16)).plus(runtime.readTimeout);
        }
        CompletableFuture<Response> future = runtime.transport.send(request);
        inFlight = future;
        if (closed) {
            future.cancel(true);
            return;
        }
        future.whenComplete((response, error) -> answered(asked, started, response, error));
    }

    private void answered(long asked, long started, Response response, Throwable error) {
        if (closed) {
            return;
        }
        ConsulException failure;
        if (error == null) {
            try {
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
        long delay = runtime.backoff.delayMillis(failures);
        LOG.log(System.Logger.Level.DEBUG, () -> "watch failed, retrying in " + delay + " ms: " + failure.getMessage());
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
        if (!moved && System.nanoTime() - started < runtime.watchWait.toNanos() / 2) {
            // Same index, well before the wait ran out: not a change, and no reason to ask again at once.
            earlyAnswers++;
            later(runtime.backoff.delayMillis(earlyAnswers));
        } else {
            earlyAnswers = 0;
            issue();
        }
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
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a watch listener failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            closed = true; // the client is closing
        }
    }

    private void later(long delayMillis) {
        try {
            runtime.scheduler.schedule(this::issue, delayMillis, TimeUnit.MILLISECONDS);
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
        CompletableFuture<Response> future = inFlight;
        if (future != null) {
            future.cancel(true);
        }
        onClose.accept(this);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }
}
