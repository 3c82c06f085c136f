package io.github.consulservlet.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A Tomcat from the unpacked distribution, with our jar installed as the README says. */
final class TomcatInstall {
    private TomcatInstall() {
    }

    /**
     * Copies the distribution to {@code target/it/<name>}, drops our jar into {@code lib} and, when
     * {@code valve} is not empty, adds that line to the Engine: the README's installation. Then the
     * test's own changes: loopback only, the HTTP port {@code port} (0: chosen by the OS), no
     * shutdown port, deployments checked every second instead of every 10.
     */
    static Path install(String version, String name, String valve, int port) throws IOException {
        return install(version, name, valve, "", port);
    }

    /** The same, with {@code hostValve} in the {@code localhost} Host rather than the Engine. */
    static Path install(String version, String name, String valve, String hostValve, int port) throws IOException {
        return install(version, name, true, valve, hostValve, port);
    }

    /** The same Tomcat without our jar and without a valve: what measures compare against. */
    static Path installWithoutOurJar(String version, String name, int port) throws IOException {
        return install(version, name, false, "", "", port);
    }

    private static Path install(String version, String name, boolean ourJar, String valve, String hostValve, int port)
            throws IOException {
        Path dist = Path.of(System.getProperty("dist.dir"));
        Path base = Path.of("target", "it", name).toAbsolutePath();
        Files.createDirectories(base.getParent());
        Copy.fresh(dist.resolve("apache-tomcat-" + version), base);
        if (ourJar) {
            Files.copy(dist.resolve("drop-in/consul-tomcat-valve.jar"), base.resolve("lib/consul-tomcat-valve.jar"));
        }
        edit(base.resolve("conf/server.xml"), xml -> xml
                .replace("<Engine name=\"Catalina\" defaultHost=\"localhost\">",
                        "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">\n        " + valve)
                .replaceFirst("(<Host name=\"localhost\"[^>]*>)", "$1\n        " + java.util.regex.Matcher.quoteReplacement(hostValve))
                .replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace("<Connector port=\"8080\"", "<Connector port=\"" + port + "\" address=\"127.0.0.1\""));
        return base;
    }

    /** {@code bin/catalina.sh run}, output in {@code logs/catalina.out}; returns once Tomcat has started. */
    static ContainerProcess start(Path base, String catalinaOpts) {
        return start(base, catalinaOpts, Duration.ofSeconds(120));
    }

    /** The same, waiting up to {@code within} for Tomcat to start; one that has not by then is killed. */
    static ContainerProcess start(Path base, String catalinaOpts, Duration within) {
        ContainerProcess tomcat = ContainerProcess.start(List.of("sh", "bin/catalina.sh", "run"), base,
                Map.of("JAVA_HOME", System.getProperty("java.home"), "CATALINA_HOME", base.toString(),
                        "CATALINA_BASE", base.toString(), "CATALINA_PID", "", "JAVA_OPTS", "-Xmx512m",
                        "CATALINA_OPTS", catalinaOpts),
                base.resolve("logs/catalina.out"));
        try {
            await("Tomcat's startup").atMost(within).until(() -> tomcat.log().contains("Server startup in") || !tomcat.isAlive());
            assertTrue(tomcat.isAlive(), () -> "Tomcat did not start:\n" + tomcat.log());
        } catch (RuntimeException | AssertionError e) {
            tomcat.close(); // the caller never gets it to close
            throw e;
        }
        return tomcat;
    }

    /** The port the started Tomcat's connector was given: with port 0, the connector's name carries it. */
    static int boundPort(ContainerProcess tomcat) {
        java.util.regex.Matcher bound = java.util.regex.Pattern.compile("http-nio-127\\.0\\.0\\.1-auto-\\d+-(\\d+)")
                .matcher(tomcat.log());
        assertTrue(bound.find(), () -> "no bound port in the log:\n" + tomcat.log());
        return Integer.parseInt(bound.group(1));
    }

    static void edit(Path file, UnaryOperator<String> change) throws IOException {
        Files.writeString(file, change.apply(Files.readString(file, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
}
