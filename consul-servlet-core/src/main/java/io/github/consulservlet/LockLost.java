package io.github.consulservlet;

import java.util.Objects;

/**
 * Why a holding of a {@link ConsulLock} ended.
 *
 * @param cause what happened
 * @param detail what was seen, for logs
 */
public record LockLost(Cause cause, String detail) {

    /** Checks the parts. */
    public LockLost {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(detail, "detail");
    }

    /** Whether the holder let go of the lock itself (release or close) rather than lose it. */
    public boolean released() {
        return cause == Cause.RELEASED;
    }

    /** What ended a holding. */
    public enum Cause {
        /** The holder released it, or closed the lock or its context. */
        RELEASED,
        /** The session was destroyed or invalidated (TTL passed, a check failed), or found gone at renewal. */
        SESSION_INVALIDATED,
        /** The key (for a semaphore, the holder list or the contender's key) was deleted. */
        KEY_DELETED,
        /** Another session holds the key now, or the holder list no longer names this one. */
        TAKEN_OVER,
        /** The agent could not be reached for longer than the session's TTL, or than the monitor's retries. */
        AGENT_UNREACHABLE
    }
}
