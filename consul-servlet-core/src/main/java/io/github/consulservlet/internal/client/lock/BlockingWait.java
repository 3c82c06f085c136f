package io.github.consulservlet.internal.client.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import io.github.consulservlet.ConsulUnreachableException;

/**
 * How the blocking methods of {@link SessionLock} wait for an asynchronous acquisition: its
 * failure is thrown as the unchecked exception it carries, and an interrupted wait lets the
 * lock abandon the acquisition before the interrupt is thrown on.
 */
final class BlockingWait {
    private BlockingWait() {
    }

    /** Waits for {@code result}; on an interrupt, {@code abandon} hears of it first. */
    static boolean await(CompletableFuture<Boolean> result, Consumer<CompletableFuture<Boolean>> abandon)
            throws InterruptedException {
        try {
            return result.get();
        } catch (InterruptedException e) {
            abandon.accept(result);
            throw e;
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** Waits for {@code result}, not to be interrupted: a try that returns at once. */
    static boolean join(CompletableFuture<Boolean> result) {
        try {
            return result.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new ConsulUnreachableException("acquiring the lock failed: " + cause, cause);
    }
}
