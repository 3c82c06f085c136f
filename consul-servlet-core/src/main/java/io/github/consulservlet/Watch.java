package io.github.consulservlet;

/**
 * A running watch: a chain of Consul blocking queries that calls its listener each time the
 * watched data changes. It holds no thread while it waits. Closing it cancels the query in
 * flight; a watch is also closed with the {@link ConsulContext} or client that made it.
 */
public interface Watch extends AutoCloseable {

    /**
     * Stops the watch. The listener is not called after this returns; a call already running on
     * the event thread is waited for, up to 2 seconds (so that a listener waiting for the closing
     * thread cannot hang it). Idempotent.
     */
    @Override
    void close();

    /** Whether {@link #close()} was called, here or through the owner of the watch. */
    boolean isClosed();
}
