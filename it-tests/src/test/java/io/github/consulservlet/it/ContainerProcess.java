package io.github.consulservlet.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A container started as a child process, its output written to one log file, as
 * {@code catalina.sh start} writes {@code catalina.out}. Closing it kills what is left.
 */
final class ContainerProcess implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;

    private ContainerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ContainerProcess start(List<String> command, Path directory, Map<String, String> environment, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(log.getParent());
            return new ContainerProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the container has printed so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The process started: for {@code catalina.sh run}, which {@code exec}s java, the container's
     * JVM itself (what {@code jcmd} attaches to).
     */
    long pid() {
        return process.pid();
    }

    /** Asks the container to stop (SIGTERM, its shutdown hook runs) and waits for it to exit. */
    int stop(Duration within) {
        signalStop();
        return awaitExit(within);
    }

    /** Sends SIGTERM: the container's shutdown hook starts stopping it. */
    void signalStop() {
        process.destroy();
    }

    int awaitExit(Duration within) {
        await("the container's exit").atMost(within).until(() -> !process.isAlive());
        return process.exitValue();
    }

    /**
     * Runs {@code jcmd <pid> <command...>} against the container's JVM (see {@link #pid()}) with
     * the JDK running the tests, which is the one the container runs on, and returns its output.
     */
    String jcmd(String... command) {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid())));
        line.addAll(List.of(command));
        try {
            Path output = Files.createTempFile(log.getParent(), "jcmd", ".txt");
            try {
                Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                if (!jcmd.waitFor(120, TimeUnit.SECONDS)) {
                    jcmd.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", line) + " did not answer within 120 s");
                }
                String answer = Files.readString(output, StandardCharsets.UTF_8);
                if (jcmd.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", line) + " failed (" + jcmd.exitValue() + "):\n" + answer);
                }
                return answer;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
