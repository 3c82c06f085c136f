package io.github.consulservlet;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A lock on one KV key, as HashiCorp's {@code api/lock.go} takes it: the key holds the lock's
 * value with the flags {@code 0x2ddccbc058a50c18} and is acquired by a session. Safe for
 * concurrent use; one holding at a time (acquiring a held lock is an error, as in Go).
 *
 * <p>Waiting rides blocking queries and holds no thread but the caller's; a held lock is
 * watched, and its session renewed, by the client's own threads. When the lock is lost (its
 * session destroyed or invalidated, the key deleted or taken by another session, the agent out
 * of reach longer than the session's TTL) {@link #isHeld()} turns false and {@link #lost()}
 * completes, within one blocking query or one TTL.
 */
public interface ConsulLock extends AutoCloseable {

    /** The key this lock guards; for a semaphore, its prefix. */
    String key();

    /**
     * Waits up to {@code timeout} for the lock.
     *
     * @return true when acquired, false when the time ran out
     * @throws InterruptedException when the caller is interrupted; the attempt is abandoned
     * @throws LockConflictException when the key is used for something else
     * @throws IllegalStateException when this lock is already held
     * @throws ConsulException when Consul cannot be asked
     */
    boolean acquire(Duration timeout) throws InterruptedException;

    /** Waits for the lock as long as it takes, or until interrupted. */
    void acquireInterruptibly() throws InterruptedException;

    /**
     * Takes the lock if it is free now, without waiting: one read, one write. A key still in
     * another session's lock delay is not free.
     */
    boolean tryAcquire();

    /**
     * Lets the lock go, and destroys its own session: others may take it at once (a release is
     * not an invalidation, so no lock delay applies). Does nothing when not held.
     */
    void release();

    /** Whether the lock is held now, as far as this client knows. */
    boolean isHeld();

    /**
     * The latest holding's end: completes once when it is lost, or released, or its context
     * closed, with why. It completes on one of the client's threads: a callback that blocks or
     * takes time should be given an executor ({@code thenAcceptAsync}).
     *
     * @throws IllegalStateException when the lock was never acquired
     */
    CompletionStage<LockLost> lost();

    /**
     * The ModifyIndex of the key when the lock was taken, a number that only grows from one
     * holding to the next: hand it to what the lock guards, so that it can refuse a late writer
     * that lost the lock meanwhile (fencing).
     *
     * @throws IllegalStateException when the lock was never acquired
     */
    long fencingIndex();

    /** The session that holds, or last held, the lock. */
    Optional<String> session();

    /** Releases the lock if held; the lock may be acquired again afterwards. */
    @Override
    void close();
}
