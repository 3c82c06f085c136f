package io.github.consulservlet;

/**
 * The key of a lock, or the {@code .lock} key of a semaphore, is in use for something else: its
 * flags are not the lock's (a plain value, or a semaphore's where a lock is asked, or the other
 * way round), or a semaphore's holders agree on another limit. HashiCorp's Go client refuses
 * these with {@code ErrLockConflict} and {@code ErrSemaphoreConflict}; so does this one.
 */
public class LockConflictException extends ConsulException {
    private static final long serialVersionUID = 1L;

    /** @param message the key, and what it holds instead */
    public LockConflictException(String message) {
        super(0, "", message, null);
    }
}
