package io.github.consulservlet;

/**
 * A semaphore of {@link #limit()} slots under a KV prefix, as HashiCorp's {@code api/semaphore.go}
 * (and {@code consul lock -n}) makes it: each contender writes {@code <prefix>/<session>}, and
 * the holders are listed in {@code <prefix>/.lock} as {@code {"Limit":N,"Holders":{...}}},
 * changed by check-and-set only, dead holders pruned. Acquiring takes one slot; the methods are
 * those of a {@link ConsulLock}, {@link #key()} being the prefix.
 */
public interface ConsulSemaphore extends ConsulLock {

    /** How many may hold the semaphore at once. */
    int limit();
}
