package io.github.consulservlet.client;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;

/** The watches one context started, so that closing the context stops exactly those. */
final class Scope {
    private final ClientRuntime runtime;
    private final Set<BlockingWatch<?>> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Scope(ClientRuntime runtime) {
        this.runtime = runtime;
    }

    <T> Watch watch(BlockingWatch.Query<T> query, WatchListener<? super T> listener) {
        if (closed) {
            throw new ConsulUnreachableException("cannot start a watch: its ConsulContext is closed", null);
        }
        BlockingWatch<T> watch = new BlockingWatch<>(query, listener, runtime, watches::remove);
        watches.add(watch);
        watch.start();
        return watch;
    }

    int watchCount() {
        return watches.size();
    }

    void close() {
        closed = true;
        for (BlockingWatch<?> watch : List.copyOf(watches)) {
            watch.close();
        }
    }
}
