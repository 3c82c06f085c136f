package io.github.consulservlet.internal.client.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * One chain of blocking queries per distinct query (same path, same parameters), however many
 * watches of it the webapps of one client hold: two hundred webapps that watch the same service
 * cost one connection, not two hundred. A watch that joins a running chain hears the latest
 * data at once; the chain stops when its last watch is closed.
 *
 * <p>Joining, leaving and delivering all happen on the client's own queue of its event thread,
 * one at a time; each watch's listener then runs on its context's queue ({@link EventDispatch}),
 * in order, so a watch never hears an older value after a newer one, and a listener that blocks
 * holds up its own context only.
 */
public final class SharedWatches {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());
    private static final long CLOSE_WAIT_SECONDS = 2;

    private final ClientRuntime runtime;
    private final Map<String, Chain<?>> chains = new ConcurrentHashMap<>();

    public SharedWatches(ClientRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * A watch of what {@code query} reads, as {@code reader} reads it; {@code onClose} hears when
     * it is closed.
     */
    public <T> Watch watch(Supplier<Request> query, Function<Response, T> reader, WatchListener<? super T> listener,
            Consumer<Watch> onClose, EventDispatch.Queue listeners) {
        String target = query.get().target(); // also refuses bad arguments here, not in the chain
        Subscription<T> subscription = new Subscription<>(listener, onClose, listeners);
        onEventThread(() -> join(target, query, reader, subscription));
        return subscription;
    }

    public int chainCount() {
        return chains.size();
    }

    /** Stops every chain, as the client closes. */
    public void closeAll() {
        chains.values().forEach(chain -> chain.queries.close());
        chains.clear();
    }

    @SuppressWarnings("unchecked")
    private <T> void join(String target, Supplier<Request> query, Function<Response, T> reader, Subscription<T> s) {
        if (s.closed) {
            return;
        }
        Chain<T> chain = (Chain<T>) chains.computeIfAbsent(target, t -> new Chain<>(t, query, reader));
        chain.subscriptions.add(s);
        s.chain = chain;
        if (chain.hasValue) {
            s.change(chain.latest);
        }
    }

    private void onEventThread(Runnable task) {
        try {
            runtime.events.execute(task);
        } catch (RejectedExecutionException e) {
            throw new ConsulUnreachableException("cannot start a watch: the Consul client is closed", e);
        }
    }

    /** The blocking queries of one target, and the watches that hear them. */
    private final class Chain<T> implements WatchListener<T> {
        final String target;
        final BlockingWatch<T> queries;
        final List<Subscription<T>> subscriptions = new ArrayList<>();
        boolean hasValue;
        T latest;

        Chain(String target, Supplier<Request> query, Function<Response, T> reader) {
            this.target = target;
            this.queries = new BlockingWatch<>(query, reader, this, runtime);
            queries.start();
        }

        @Override
        public void onChange(T value) {
            hasValue = true;
            latest = value;
            List.copyOf(subscriptions).forEach(s -> s.change(value));
        }

        @Override
        public void onError(ConsulException error) {
            List.copyOf(subscriptions).forEach(s -> s.error(error));
        }

        void leave(Subscription<T> s) {
            subscriptions.remove(s);
            if (subscriptions.isEmpty()) {
                queries.close();
                chains.remove(target, this);
            }
        }
    }

    /** One watch: a listener on a chain. */
    private final class Subscription<T> implements Watch {
        final WatchListener<? super T> listener;
        final Consumer<Watch> onClose;
        final EventDispatch.Queue queue;
        /** Held while the listener runs, so that close() can wait for a call already under way. */
        final ReentrantLock calling = new ReentrantLock();
        volatile boolean closed;
        Chain<T> chain; // set and read on the event thread only

        Subscription(WatchListener<? super T> listener, Consumer<Watch> onClose, EventDispatch.Queue queue) {
            this.listener = listener;
            this.onClose = onClose;
            this.queue = queue;
        }

        void change(T value) {
            call(() -> listener.onChange(value));
        }

        void error(ConsulException error) {
            call(() -> listener.onError(error));
        }

        /** On the client's queue: hands the call to the context's queue. */
        private void call(Runnable listenerCall) {
            try {
                queue.execute(() -> callNow(listenerCall), listener.getClass().getName());
            } catch (RejectedExecutionException e) {
                // the client is closing
            }
        }

        private void callNow(Runnable listenerCall) {
            calling.lock();
            try {
                if (!closed) {
                    listenerCall.run();
                }
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // One webapp's failing listener (even one whose classes are going away) must not
                // keep the others of the chain from hearing the change.
                LOG.log(System.Logger.Level.WARNING, "a watch listener (" + listener.getClass().getName() + ") failed: "
                        + LogText.remote(String.valueOf(e)));
                LOG.log(System.Logger.Level.DEBUG, "the watch listener's failure", e); // the trace, for whoever asks
            } finally {
                calling.unlock();
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            awaitCallUnderWay();
            onClose.accept(this);
            try {
                runtime.events.execute(() -> {
                    if (chain != null) {
                        chain.leave(this);
                    }
                });
            } catch (RejectedExecutionException e) {
                // the client is closing and stops every chain itself
            }
        }

        /**
         * Waits for a listener call that began before close(), briefly: a listener that waits for
         * the thread closing it must not hang an undeploy.
         */
        private void awaitCallUnderWay() {
            try {
                if (calling.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    calling.unlock();
                } else {
                    LOG.log(System.Logger.Level.WARNING, "a watch listener still runs "
                            + CLOSE_WAIT_SECONDS + "s after its watch was closed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }
}
