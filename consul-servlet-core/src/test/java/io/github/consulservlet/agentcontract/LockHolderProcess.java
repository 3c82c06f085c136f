package io.github.consulservlet.agentcontract;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.consulservlet.ConsulLock;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.LockOptions;
import io.github.consulservlet.internal.client.ConsulClient;

/**
 * A JVM of its own that takes our lock and holds it until it is killed, so that a test can kill a
 * Java holder as a crash would: {@code <agent address> <key> <session name> <file>}; the lock's
 * session ID is written to the file once the lock is held. It exits 3, naming the cause, if it
 * loses the lock first.
 */
public final class LockHolderProcess {
    private LockHolderProcess() {
    }

    public static void main(String[] args) throws Exception {
        ConsulClient consul = ConsulClient.builder().agents(args[0]).build();
        ConsulLock lock = consul.locks().lock(args[1], LockOptions.builder().sessionName(args[2]).build());
        if (!lock.tryAcquire()) {
            System.exit(2);
        }
        Path written = Path.of(args[3] + ".tmp");
        Files.writeString(written, lock.session().orElseThrow());
        Files.move(written, Path.of(args[3]));
        LockLost lost = lock.lost().toCompletableFuture().join();
        System.out.println("lost the lock: " + lost);
        System.exit(3);
    }
}
