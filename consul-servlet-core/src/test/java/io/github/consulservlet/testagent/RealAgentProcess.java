package io.github.consulservlet.testagent;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

/**
 * One {@code consul agent -dev} process: bound to 127.0.0.1 only, every port it opens chosen free
 * (HTTP, server RPC, Serf LAN and WAN, gRPC; DNS, HTTPS and gRPC-TLS off), its own data directory
 * and log file in a fresh temporary directory, optionally with ACLs on ({@code default_policy =
 * "deny"} and a management token of its own). {@link #start} returns once the agent has a leader,
 * its node is in the catalog (sessions need it) and, with ACLs, the token works.
 */
final class RealAgentProcess implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3; // a free port may be taken between choosing and binding it

    private final ConsulBinary binary;
    private final String managementToken;
    private final Path directory;
    private final String nodeName;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Ports ports;
    private Process process;

    private record Ports(int http, int server, int serfLan, int serfWan, int grpc) {
    }

    private RealAgentProcess(ConsulBinary binary, boolean acl) throws IOException {
        this.binary = binary;
        this.managementToken = acl ? UUID.randomUUID().toString() : null;
        this.directory = Files.createTempDirectory("consul-agent-");
        this.nodeName = "consul-servlet-test-" + directory.getFileName().toString().replace("consul-agent-", "");
    }

    /** Starts an agent; with {@code acl}, ACLs deny by default and {@link #managementToken()} is the management token. */
    static RealAgentProcess start(ConsulBinary binary, boolean acl) {
        return start(binary, acl, 0);
    }

    /** The same with the HTTP API on {@code httpPort} (0: a free one), for a demo a user can point a browser at. */
    static RealAgentProcess start(ConsulBinary binary, boolean acl, int httpPort) {
        RealAgentProcess agent;
        try {
            agent = new RealAgentProcess(binary, acl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            agent.ports = freePorts(httpPort);
            try {
                agent.launch();
                return agent;
            } catch (IllegalStateException e) {
                failure = e;
                agent.kill();
            }
        }
        agent.close();
        throw failure;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + ports.http());
    }

    Optional<String> managementToken() {
        return Optional.ofNullable(managementToken);
    }

    String nodeName() {
        return nodeName;
    }

    /** Kills the process at once (SIGKILL), as a crash would: it leaves nothing and says goodbye to no one. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
            process = null;
        }
    }

    /**
     * Starts the agent again on the same ports with an empty data directory: a dev agent that
     * forgets everything, as one restarted after a crash does, its indexes starting over.
     */
    synchronized void startAgain() {
        kill();
        launch();
    }

    private synchronized void launch() {
        try {
            Path data = directory.resolve("data");
            deleteTree(data);
            Files.createDirectories(data);
            Path config = directory.resolve("agent.json");
            Files.writeString(config, config(), StandardCharsets.UTF_8);
            process = new ProcessBuilder(binary.path().toString(), "agent", "-dev", "-node", nodeName,
                    "-bind", "127.0.0.1", "-advertise", "127.0.0.1", "-client", "127.0.0.1",
                    "-data-dir", data.toString(), "-config-file", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("agent.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady();
    }

    private String config() {
        String acl = managementToken == null ? "" : """
                , "acl": {"enabled": true, "default_policy": "deny", "enable_token_persistence": false,
                          "tokens": {"initial_management": "%1$s", "agent": "%1$s"}}""".formatted(managementToken);
        // disable_update_check: the agent would otherwise ask HashiCorp's checkpoint service
        return """
                {"ports": {"http": %d, "server": %d, "serf_lan": %d, "serf_wan": %d, "grpc": %d,
                           "dns": -1, "https": -1, "grpc_tls": -1},
                 "disable_update_check": true, "log_level": "INFO"%s}
                """.formatted(ports.http(), ports.server(), ports.serfLan(), ports.serfWan(), ports.grpc(), acl);
    }

    private void awaitReady() {
        try {
            await("consul agent ready").atMost(READY_WITHIN).pollInterval(Duration.ofMillis(50)).until(this::ready);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("consul agent not ready within " + READY_WITHIN.toSeconds() + " s:\n" + logTail());
        }
    }

    /** A leader, this node in the catalog (sessions need it) and, with ACLs, a working token; fails once the process died. */
    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("consul agent exited with " + process.exitValue() + " before it was ready:\n" + logTail());
        }
        String leader = get("/v1/status/leader");
        if (leader == null || !leader.startsWith("\"") || leader.length() <= 2) {
            return false;
        }
        String node = get("/v1/catalog/node/" + nodeName);
        return node != null && node.contains("\"Node\"") && (managementToken == null || get("/v1/acl/token/self") != null);
    }

    /** The body of a 200 answer, or null for anything else. */
    private String get(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri().resolve(path)).timeout(Duration.ofSeconds(2));
        if (managementToken != null) {
            request.header("X-Consul-Token", managementToken);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the consul agent", e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(directory.resolve("agent.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the agent (SIGTERM, then SIGKILL) and deletes its directory. */
    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            waitFor(process);
            process = null;
        }
        try {
            deleteTree(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Five distinct ports free on 127.0.0.1 for TCP, and for UDP too (Serf uses both); the first,
     * HTTP's, is {@code httpPort} unless that is 0.
     */
    private static Ports freePorts(int httpPort) {
        Set<Integer> taken = new HashSet<>();
        List<Integer> chosen = new ArrayList<>();
        if (httpPort != 0) {
            taken.add(httpPort);
            chosen.add(httpPort);
        }
        while (chosen.size() < 5) {
            int port = freeTcpAndUdpPort();
            if (taken.add(port)) {
                chosen.add(port);
            }
        }
        return new Ports(chosen.get(0), chosen.get(1), chosen.get(2), chosen.get(3), chosen.get(4));
    }

    private static int freeTcpAndUdpPort() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        while (true) {
            try (ServerSocket tcp = new ServerSocket(0, 1, loopback)) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
                    return udp.getLocalPort();
                } catch (IOException e) {
                    // that port is taken for UDP: try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
