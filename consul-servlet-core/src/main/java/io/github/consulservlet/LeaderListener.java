package io.github.consulservlet;

/**
 * Hears a {@link Leadership}'s turns. Calls come one at a time, in order, on the client's event
 * thread: start the leader's work on an executor of your own in {@link #elected} and stop it in
 * {@link #revoked}, and return quickly.
 */
public interface LeaderListener {

    /**
     * This context is the leader now; {@code lock} is the held lock (for its
     * {@link ConsulLock#fencingIndex()}).
     */
    void elected(ConsulLock lock);

    /** This context is no longer the leader: stop the leader's work now. */
    void revoked(LockLost why);
}
