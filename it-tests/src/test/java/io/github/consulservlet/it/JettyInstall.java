package io.github.consulservlet.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A new jetty-base for the unpacked {@code jetty-home}, with our archive installed as the README
 * says: unpacked into the base, {@code --add-modules=http,consul[,consul-ee11]}, the settings
 * appended to each module's {@code start.d} ini.
 */
final class JettyInstall {
    final Path home;
    final Path base;

    private JettyInstall(Path home, Path base) {
        this.home = home;
        this.base = base;
    }

    /** Installs into {@code target/it/<name>}; {@code settings} are ini lines, one per setting. */
    static JettyInstall install(String name, List<String> modules, String settings) throws IOException, InterruptedException {
        Path dist = Path.of(System.getProperty("dist.dir"));
        Path home = dist.resolve("jetty-home-" + System.getProperty("jetty.version"));
        Path base = Path.of("target", "it", name).toAbsolutePath();
        Copy.fresh(Files.createDirectories(Path.of("target", "it", "empty")).toAbsolutePath(), base);
        JettyInstall jetty = new JettyInstall(home, base);
        jetty.run(List.of("tar", "xzf", dist.resolve("drop-in/consul-jetty-module-jetty-base.tar.gz").toString()));
        jetty.startJar("--add-modules=http," + String.join(",", modules));
        for (String module : modules) {
            Files.writeString(base.resolve("start.d/" + module + ".ini"), "\n" + settings, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        }
        return jetty;
    }

    /**
     * {@code java -jar start.jar} as a child process, on 127.0.0.1 and a port the OS picks, with
     * {@code webapps/} scanned every second; returns once the server has started.
     */
    ContainerProcess start() {
        ContainerProcess jetty = ContainerProcess.start(List.of(java(), "-Xmx512m", "-jar", home.resolve("start.jar").toString(),
                        "jetty.http.host=127.0.0.1", "jetty.http.port=0", "jetty.deploy.scanInterval=1"),
                base, Map.of(), base.resolve("logs/jetty.out"));
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> jetty.log().contains("Started oejs.Server") || !jetty.isAlive());
            assertTrue(jetty.isAlive(), () -> "Jetty did not start:\n" + jetty.log());
        } catch (RuntimeException | AssertionError e) {
            jetty.close(); // nobody else holds it yet
            throw e;
        }
        return jetty;
    }

    /** The port the started Jetty's connector was bound to, from its log. */
    static int boundPort(ContainerProcess jetty) {
        Matcher bound = Pattern.compile("\\{127\\.0\\.0\\.1:(\\d+)\\}").matcher(jetty.log());
        assertTrue(bound.find(), () -> "no bound port in the log:\n" + jetty.log());
        return Integer.parseInt(bound.group(1));
    }

    String startJar(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", home.resolve("start.jar").toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), () -> String.join(" ", command) + " did not end");
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + ":\n" + output);
        return output;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
