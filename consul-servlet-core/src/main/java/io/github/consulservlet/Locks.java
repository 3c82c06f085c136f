package io.github.consulservlet;

/**
 * Locks, semaphores and leader election on Consul's KV store, made the way HashiCorp's Go client
 * makes them ({@code api/lock.go}, {@code api/semaphore.go}), so that they exclude, and share
 * slots with, Go programs and {@code consul lock} on the same keys. Each is held by a session of
 * its own, renewed while held and destroyed when let go, unless the caller passes one
 * ({@link LockOptions.Builder#session(String)}). Everything made here is released, and its
 * sessions destroyed, when the {@link ConsulContext} closes: for a webapp, when it stops.
 *
 * <pre>{@code
 * ConsulLock lock = consul.locks().lock("jobs/nightly-report");
 * if (lock.acquire(Duration.ofSeconds(30))) {
 *     try {
 *         runReport(lock.fencingIndex());
 *     } finally {
 *         lock.release();
 *     }
 * }
 * }</pre>
 *
 * <p>A lock is advisory: it excludes only those who take it too. See {@code docs/locks.md} for
 * what it guarantees and what it does not.
 */
public interface Locks {

    /** A lock on {@code key}, with the Go client's defaults; not yet acquired. */
    ConsulLock lock(String key);

    /** A lock on {@code key} made with {@code options}; not yet acquired. */
    ConsulLock lock(String key, LockOptions options);

    /**
     * A semaphore of {@code limit} slots under {@code prefix}, with the Go client's defaults; not
     * yet acquired. Every contender of a prefix must agree on the limit.
     */
    ConsulSemaphore semaphore(String prefix, int limit);

    /** A semaphore of {@code limit} slots under {@code prefix} made with {@code options}. */
    ConsulSemaphore semaphore(String prefix, int limit, LockOptions options);

    /**
     * Contends for the lock on {@code key} until closed, without holding a thread: {@code leader}
     * hears when this context becomes leader and when it stops being one, and contention starts
     * again by itself after a loss.
     */
    Leadership leadership(String key, LeaderListener leader);

    /** As {@link #leadership(String, LeaderListener)}, the lock made with {@code options}. */
    Leadership leadership(String key, LockOptions options, LeaderListener leader);
}
