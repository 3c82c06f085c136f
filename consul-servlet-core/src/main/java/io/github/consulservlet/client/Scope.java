package io.github.consulservlet.client;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;

/** The watches one context started, so that closing the context stops exactly those. */
final class Scope {
    private final ClientRuntime runtime;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Scope(ClientRuntime runtime) {
        this.runtime = runtime;
    }

    /** Starts a watch of what {@code query} reads, as {@code reader} reads it. */
    <T> Watch watch(Supplier<Request> query, Function<Response, T> reader, WatchListener<? super T> listener) {
        Watch watch = runtime.watches.watch(query, reader, listener, watches::remove);
        watches.add(watch);
        if (closed) { // checked after adding, so a close() running meanwhile cannot miss this watch
            watch.close();
            throw new ConsulUnreachableException("cannot start a watch: its ConsulContext is closed", null);
        }
        return watch;
    }

    int watchCount() {
        return watches.size();
    }

    void close() {
        closed = true;
        for (Watch watch : List.copyOf(watches)) {
            watch.close();
        }
    }
}
