package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.consulservlet.ConsulLock;
import io.github.consulservlet.ConsulSemaphore;
import io.github.consulservlet.KvDeleteOptions;
import io.github.consulservlet.LockOptions;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulBinary;
import io.github.consulservlet.testagent.ConsulTestAgent;
import io.github.consulservlet.testagent.TestAgents;

/**
 * Our locks against HashiCorp's own: {@code consul lock <prefix> <cmd>} (api/lock.go on the key
 * {@code <prefix>/.lock}) and {@code consul lock -n 2} (api/semaphore.go on the prefix), run as
 * child processes against the real agent. They exclude us and we them, share a semaphore's
 * slots, and a holder that dies frees the lock for the other after the lock delay. Only the real
 * agent runs the Go client, so these run on it alone (with {@code CI=true}, its absence is a failure).
 */
class LocksInteropWithConsulLockTest {
    private static final Duration STARTED = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    private ConsulTestAgent agent;
    private ConsulClient consul;
    private String prefix;

    @BeforeEach
    void realAgent() {
        Assumptions.assumeTrue(TestAgents.realAvailable(), "consul lock is HashiCorp's Go client: it needs the real agent");
        agent = ConsulTestAgent.shared(AgentKind.REAL);
        consul = OnBothAgents.client(agent);
        prefix = agent.unique("interop") + "/";
    }

    @AfterEach
    void stopChildren() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        if (consul != null) {
            try {
                consul.sessions().list().stream().filter(s -> s.name().startsWith(prefix)).forEach(s -> consul.sessions().destroy(s.id()));
                consul.kv().delete(prefix, KvDeleteOptions.recurse());
            } finally {
                consul.close();
                agent.close();
            }
        }
    }

    /** {@code consul lock [flags] <prefix> <script>}, its output in a file of its own. */
    private Process consulLock(String prefix, String script, String... flags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ConsulBinary.find().orElseThrow().path().toString());
        command.add("lock");
        command.add("-http-addr=" + agent.address());
        command.addAll(List.of(flags));
        command.add(prefix);
        command.add(script);
        Path output = Files.createTempFile(dir, "consul-lock", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        processes.add(process);
        return process;
    }

    private static String output(Process process, Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".out")).toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }

    private Path marker(String name) {
        return dir.resolve(name);
    }

    private static void awaitExit(Process process, Duration within) throws InterruptedException {
        assertTrue(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS), "consul lock did not exit within " + within);
    }

    @Test
    void ourLockAndConsulLockExcludeEachOtherOnTheSameKey() throws Exception {
        String lockPrefix = prefix + "job";
        ConsulLock ours = consul.locks().lock(lockPrefix + "/.lock", LockOptions.builder().sessionName(prefix + "ours").build());
        assertTrue(ours.tryAcquire());
        Path refused = marker("refused");
        Process blocked = consulLock(lockPrefix, "echo held > " + refused, "-timeout=3s");
        awaitExit(blocked, STARTED);
        assertEquals(1, blocked.exitValue(), output(blocked, dir));
        assertFalse(Files.exists(refused), "consul lock did not run its command while we held the lock");
        ours.release();

        Path held = marker("held");
        Process go = consulLock(lockPrefix, "echo held > " + held + "; sleep 60");
        await().atMost(STARTED).until(() -> Files.exists(held));
        assertFalse(ours.tryAcquire(), "we do not get the lock consul lock holds");
        assertFalse(ours.acquire(Duration.ofSeconds(2)));
        go.destroy(); // SIGTERM: consul lock stops its child and releases
        awaitExit(go, STARTED);
        assertTrue(ours.acquire(Duration.ofSeconds(20)), "released by consul lock, taken by us");
        ours.release();
    }

    @Test
    void ourSemaphoreOfTwoAndConsulLockDashN2ShareTheSameSlots() throws Exception {
        String semPrefix = prefix + "pool";
        LockOptions options = LockOptions.builder().sessionName(prefix + "ours").build();
        ConsulSemaphore first = consul.locks().semaphore(semPrefix, 2, options);
        ConsulSemaphore second = consul.locks().semaphore(semPrefix, 2, options);
        assertTrue(first.tryAcquire());

        Path goSlot = marker("go-slot");
        Process go = consulLock(semPrefix, "echo held > " + goSlot + "; sleep 60", "-n=2");
        await().atMost(STARTED).until(() -> Files.exists(goSlot));
        assertFalse(second.tryAcquire(), "one slot is ours, the other consul lock's");
        Path third = marker("third");
        Process blocked = consulLock(semPrefix, "echo held > " + third, "-n=2", "-timeout=3s");
        awaitExit(blocked, STARTED);
        assertEquals(1, blocked.exitValue());
        assertFalse(Files.exists(third), "no third holder");

        Process otherLimit = consulLock(semPrefix, "true", "-n=3", "-timeout=3s");
        awaitExit(otherLimit, STARTED);
        assertEquals(1, otherLimit.exitValue());
        assertTrue(output(otherLimit, dir).contains("semaphore limit conflict"), output(otherLimit, dir));

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return second.acquire(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        go.destroy(); // consul lock releases its slot
        assertTrue(waiting.get(20, TimeUnit.SECONDS), "the slot consul lock freed is ours now");
        first.release();
        second.release();
    }

    @Test
    void aKilledConsulLockFreesTheLockForUsAfterTheLockDelay() throws Exception {
        String lockPrefix = prefix + "killed";
        String key = lockPrefix + "/.lock";
        Path held = marker("held");
        Process go = consulLock(lockPrefix, "echo held > " + held + "; sleep 90");
        await().atMost(STARTED).until(() -> Files.exists(held));
        String goSession = consul.kv().get(key).flatMap(e -> e.session()).orElseThrow();

        ConsulLock ours = consul.locks().lock(key, LockOptions.builder().sessionName(prefix + "ours").build());
        CompletableFuture<Long> acquiredAt = CompletableFuture.supplyAsync(() -> {
            try {
                assertTrue(ours.acquire(Duration.ofSeconds(90)));
                return System.nanoTime();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // consul lock itself dies first: were its command killed first, it could release the key in time
        List<ProcessHandle> command = go.descendants().toList();
        go.destroyForcibly().waitFor(); // SIGKILL: nothing renews its session, nothing releases the key
        command.forEach(ProcessHandle::destroyForcibly);
        assertEquals(Optional.of(goSession), consul.kv().get(key).flatMap(e -> e.session()),
                "the killed consul lock still holds the key");
        // Consul invalidates the session between one and two TTLs (15s) later; then the 15s lock delay runs
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200))
                .until(() -> consul.sessions().info(goSession).isEmpty());
        long invalidated = System.nanoTime();
        long at = acquiredAt.get(40, TimeUnit.SECONDS);
        Duration after = Duration.ofNanos(at - invalidated);
        assertTrue(after.compareTo(Duration.ofSeconds(14)) >= 0, "not before the 15s lock delay: " + after);
        assertEquals(ours.session(), consul.kv().get(key).flatMap(e -> e.session()));
        ours.release();
    }

    @Test
    void consulLockTakesTheLockWhenOurSessionIsDestroyedOrOurClientClosed() throws Exception {
        String lockPrefix = prefix + "handover";
        String key = lockPrefix + "/.lock";
        ConsulClient holderClient = OnBothAgents.client(agent);
        ConsulLock ours = holderClient.locks().lock(key, LockOptions.builder().sessionName(prefix + "ours")
                .lockDelay(Duration.ofSeconds(1)).build());
        assertTrue(ours.tryAcquire());
        Path first = marker("first");
        Process go = consulLock(lockPrefix, "echo held > " + first + "; sleep 60");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(first));

        consul.sessions().destroy(ours.session().orElseThrow()); // an operator destroys our session
        ours.lost().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // consul lock waits out the lock delay with its retry time of 5s
        await().atMost(STARTED).until(() -> Files.exists(first));
        go.destroy();
        awaitExit(go, STARTED);

        assertTrue(ours.acquire(Duration.ofSeconds(20)));
        Path second = marker("second");
        Process next = consulLock(lockPrefix, "echo held > " + second + "; sleep 60");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(second));
        holderClient.close(); // releases, then destroys the session: no lock delay
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(second));
        assertEquals(Optional.empty(), consul.sessions().info(ours.session().orElseThrow()));
        next.destroy();
        awaitExit(next, STARTED);
    }

    @Test
    void aKilledJvmHoldingOurLockFreesItForConsulLockAfterTheLockDelay() throws Exception {
        String lockPrefix = prefix + "killed-jvm";
        String key = lockPrefix + "/.lock";
        Path sessionFile = marker("session");
        Process java = javaHolder(key, prefix + "ours", sessionFile);
        await().atMost(STARTED).until(() -> Files.exists(sessionFile) || !java.isAlive());
        assertTrue(java.isAlive(), "our holder took the lock");
        String ourSession = Files.readString(sessionFile);

        Path held = marker("held");
        Process go = consulLock(lockPrefix, "echo held > " + held + "; sleep 60");
        java.destroyForcibly().waitFor(); // SIGKILL: nothing renews our session, nothing releases the key
        assertEquals(Optional.of(ourSession), consul.kv().get(key).flatMap(e -> e.session()),
                "the killed JVM still holds the key");
        // Consul invalidates the session between one and two TTLs (15s) later; then the 15s lock delay runs
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200))
                .until(() -> consul.sessions().info(ourSession).isEmpty());
        long invalidated = System.nanoTime();
        assertFalse(Files.exists(held), "consul lock did not run its command before our session was invalidated");
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> Files.exists(held));
        Duration after = Duration.ofNanos(System.nanoTime() - invalidated);
        assertTrue(after.compareTo(Duration.ofSeconds(14)) >= 0, "not before the 15s lock delay: " + after);
        go.destroy();
        awaitExit(go, STARTED);
    }

    /** A JVM of its own, on this test's class path, that holds our lock on {@code key} until killed. */
    private Process javaHolder(String key, String sessionName, Path sessionFile) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path output = Files.createTempFile(dir, "java-holder", ".out");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LockHolderProcess.class.getName(), agent.address(), key, sessionName, sessionFile.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        processes.add(process);
        return process;
    }
}
