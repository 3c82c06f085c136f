package io.github.consulservlet;

/**
 * Receives what a {@link Watch} sees. Calls come one at a time, in order, on the client's
 * event thread, never on an I/O thread: a listener may call Consul, but should return quickly,
 * as every watch of the client shares that thread.
 *
 * @param <T> the watched data
 */
@FunctionalInterface
public interface WatchListener<T> {

    /** The watched data, the first time it is read and each time it changes. */
    void onChange(T value);

    /**
     * A query failed; the watch retries by itself with backoff and jitter, and keeps the last
     * value it delivered. Does nothing unless overridden.
     */
    default void onError(ConsulException error) {
    }
}
