package io.github.consulservlet;

/**
 * A running contention for leadership on one key (see {@link Locks#leadership}): it becomes
 * leader when the key's lock is free, tells its {@link LeaderListener}, and after a loss
 * contends again. Closing it gives leadership up.
 */
public interface Leadership extends AutoCloseable {

    /** Whether this context is the leader now, as far as this client knows. */
    boolean isLeader();

    /**
     * Stops contending and, when leader, releases the lock ({@link LeaderListener#revoked} is
     * heard first). Idempotent.
     */
    @Override
    void close();
}
