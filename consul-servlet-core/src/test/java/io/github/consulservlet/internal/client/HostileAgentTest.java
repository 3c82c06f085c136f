package io.github.consulservlet.internal.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.ConsulUnreachableException;
import io.github.consulservlet.internal.client.transport.BodyLimit;

/**
 * The transport against answers no agent should give: bodies that never end, are too large,
 * decode to a gigabyte, come a byte at a time or stop half-way. Each fails its own call with
 * an exception that says so; nothing is read as an empty result, and the one I/O thread that
 * every watch shares survives.
 */
class HostileAgentTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private HostileAgent agent;
    private ConsulClient client;

    private ConsulClient client(ConsulClient.Builder builder) throws IOException {
        if (agent == null) {
            agent = new HostileAgent();
        }
        client = builder.agents(agent.url()).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).build();
        return client;
    }

    private ConsulClient client() throws IOException {
        return client(ConsulClient.builder());
    }

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void anEndlessWatchAnswerFailsThatWatchOnlyWithinItsLimit() throws Exception {
        agent = new HostileAgent();
        agent.on("/v1/kv/healthy", HostileAgent.fixed(200, "5", FakeAgent.kvBody("healthy", "one", 5)));
        agent.on("/v1/kv/endless", agent.endless());
        client();
        WatchTest.Recorder healthy = new WatchTest.Recorder();
        client.kv().watch("healthy", healthy);
        await().atMost(BOUND).until(() -> healthy.values.equals(List.of("one")));

        long before = heapUsedAfterGc();
        resetPeaks();
        WatchTest.Recorder endless = new WatchTest.Recorder();
        client.newContext().kv().watch("endless", endless);
        await().atMost(BOUND).until(() -> !endless.errors.isEmpty());
        long peak = peakHeapUsed();

        ConsulException error = endless.errors.get(0);
        assertInstanceOf(ConsulResponseException.class, error, error::toString);
        assertTrue(error.getMessage().contains("GET /v1/kv/endless") && error.getMessage().contains("67108864")
                && error.getMessage().contains(BodyLimit.BULK_SETTING), error.getMessage());
        assertEquals(200, error.status());
        assertTrue(peak - before < 400L << 20, "heap used while reading the endless answer: " + (peak - before));

        agent.on("/v1/kv/healthy", HostileAgent.fixed(200, "6", FakeAgent.kvBody("healthy", "two", 6)));
        await().atMost(BOUND).until(() -> healthy.values.equals(List.of("one", "two")));
        WatchTest.Recorder later = new WatchTest.Recorder();
        client.newContext().kv().watch("healthy", later);
        await().atMost(BOUND).until(() -> later.values.equals(List.of("two")));
        assertTrue(healthy.errors.isEmpty(), healthy.errors::toString);
    }

    @Test
    void anEndlessWatchAnswerInAHeapSmallerThanItsLimitFailsThatWatchOnly() throws Exception {
        Path output = Files.createTempFile("small-heap-watch", ".out");
        try {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    SmallHeapWatchProcess.class.getName()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> !process.isAlive());
            } finally {
                process.destroyForcibly();
            }
            String printed = Files.readString(output);
            assertEquals(0, process.exitValue(), printed);
            assertTrue(printed.contains("endless: ConsulResponseException 200 GET /v1/kv/endless")
                    && printed.contains("bytes (an eighth of this JVM's heap")
                    && printed.contains("healthy: [one, two] later: [two]"), printed);
        } finally {
            Files.delete(output);
        }
    }

    @Test
    void anEndlessAnswerToACallFailsAtTheCallsLimit() throws Exception {
        agent = new HostileAgent();
        agent.on("/v1/kv/endless", agent.endless());
        client();
        ConsulResponseException error = failsWithin(ConsulResponseException.class, () -> client.kv().get("endless"));
        assertTrue(error.getMessage().contains("GET /v1/kv/endless") && error.getMessage().contains("8388608")
                && error.getMessage().contains(BodyLimit.SETTING), error.getMessage());
    }

    @Test
    void aHugeAnnouncedBodyFailsBeforeItIsRead() throws Exception {
        agent = new HostileAgent();
        agent.on("/v1/kv/huge", out -> {
            out.write((HostileAgent.head(200, "3") + "Content-Length: 50000000\r\n\r\n[")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] spaces = new byte[65536];
            Arrays.fill(spaces, (byte) ' ');
            for (int sent = 1; sent < 50_000_000; sent += spaces.length) {
                out.write(spaces, 0, Math.min(spaces.length, 50_000_000 - sent));
            }
        });
        client(ConsulClient.builder().maxResponseSize(1 << 20));
        ConsulResponseException error = failsWithin(ConsulResponseException.class, () -> client.kv().get("huge"));
        assertTrue(error.getMessage().contains("announces 50000000 bytes")
                && error.getMessage().contains("1048576"), error.getMessage());
    }

    @Test
    void aGzipBombFailsAtTheLimitOfTheDecodedBody() throws Exception {
        byte[] bomb = gzipBomb(128);
        agent = new HostileAgent();
        agent.on("/v1/kv/bomb", out -> {
            out.write((HostileAgent.head(200, "3") + "Content-Encoding: gzip\r\nContent-Length: " + bomb.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bomb);
        });
        client();
        ConsulResponseException call = failsWithin(ConsulResponseException.class, () -> client.kv().get("bomb"));
        assertTrue(call.getMessage().contains("8388608"), call.getMessage());

        WatchTest.Recorder watch = new WatchTest.Recorder();
        client.kv().watch("bomb", watch);
        await().atMost(BOUND).until(() -> !watch.errors.isEmpty());
        assertInstanceOf(ConsulResponseException.class, watch.errors.get(0));
        assertTrue(watch.errors.get(0).getMessage().contains("67108864"), watch.errors.get(0).getMessage());
    }

    @Test
    void aTrickledBodyEndsAtTheCallsDeadlineNotAtTheLastByte() throws Exception {
        agent = new HostileAgent();
        byte[] body = FakeAgent.kvBody("slow", "value", 3).getBytes(StandardCharsets.UTF_8);
        agent.on("/v1/kv/slow", out -> {
            out.write((HostileAgent.head(200, "3") + "Content-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            agent.trickle(body, 100).write(out);
        });
        agent.on("/v1/kv/slow-headers", agent.trickle(HostileAgent.answer(200, "3", "[]"), 100));
        client(ConsulClient.builder().connectTimeout(Duration.ofMillis(500)).readTimeout(Duration.ofSeconds(1)));
        for (String key : List.of("slow", "slow-headers")) {
            long start = System.nanoTime();
            ConsulUnreachableException error = failsWithin(ConsulUnreachableException.class, () -> client.kv().get(key));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(error.getMessage().contains("within 1500 ms"), error.getMessage());
            assertTrue(millis < 4000, key + " took " + millis + " ms");
        }
        WatchTest.Recorder watch = new WatchTest.Recorder();
        client.kv().watch("slow", watch);
        await().atMost(BOUND).until(() -> !watch.errors.isEmpty());
        assertTrue(watch.errors.get(0).getMessage().contains("within 1500 ms"), watch.errors.get(0).getMessage());
    }

    @Test
    void headersCutShortAreAnErrorNeverAnEmptyAnswer() throws Exception {
        agent = new HostileAgent();
        HostileAgent.Reply cut = HostileAgent.cut("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
        for (String path : List.of("/v1/kv/key", "/v1/health/service/web", "/v1/session/renew/abc")) {
            agent.on(path, cut);
        }
        client();
        failsWithin(ConsulException.class, () -> client.kv().get("key"));
        failsWithin(ConsulException.class, () -> client.kv().set("key", "value"));
        failsWithin(ConsulException.class, () -> client.discovery().service("web"));
        failsWithin(ConsulException.class, () -> client.sessions().renew("abc"));
        WatchTest.Recorder watch = new WatchTest.Recorder();
        client.kv().watch("key", watch);
        await().atMost(BOUND).until(() -> !watch.errors.isEmpty());
        assertTrue(watch.values.isEmpty(), watch.values::toString);
    }

    @Test
    void aBodyCutShortIsAnErrorWithItsStatus() throws Exception {
        agent = new HostileAgent();
        agent.on("/v1/kv/key", HostileAgent.cut(HostileAgent.head(200, "3") + "Content-Length: 100\r\n\r\n[{\"Key\":"));
        client();
        ConsulResponseException error = failsWithin(ConsulResponseException.class, () -> client.kv().get("key"));
        assertEquals(200, error.status());
        assertTrue(error.getMessage().contains("GET /v1/kv/key") && error.getMessage().contains("cut short"),
                error.getMessage());
        WatchTest.Recorder watch = new WatchTest.Recorder();
        client.kv().watch("key", watch);
        await().atMost(BOUND).until(() -> !watch.errors.isEmpty());
        assertInstanceOf(ConsulResponseException.class, watch.errors.get(0));
        assertEquals(200, watch.errors.get(0).status());
    }

    /** Runs {@code call}, which must throw {@code type} within the test's bound. */
    static <T extends Throwable> T failsWithin(Class<T> type, Executable call) {
        return assertTimeoutPreemptively(BOUND, () -> assertThrows(type, call));
    }

    /** {@code [} then {@code mebibytes} MiB of spaces, gzipped: about a thousandth of that on the wire. */
    private static byte[] gzipBomb(int mebibytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] spaces = new byte[1 << 20];
        Arrays.fill(spaces, (byte) ' ');
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write('[');
            for (int i = 0; i < mebibytes; i++) {
                gzip.write(spaces);
            }
        }
        return bytes.toByteArray();
    }

    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    private static void resetPeaks() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of the heap pools' peaks: an upper bound of the heap used since {@link #resetPeaks()}. */
    private static long peakHeapUsed() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
