package io.github.consulservlet.it;

import static io.github.consulservlet.it.ContainerProcess.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.testagent.ConsulTestAgent;

/**
 * Scale and leaks: one Tomcat (the first of {@code -Dtomcat.versions}) with 200 small webapps,
 * installed as the README says, against the test agent. All are registered with passing checks,
 * the extension runs on its shared threads alone, and all are deregistered before the process
 * exits. Measured and reported, not asserted (a shared 2-core CI machine makes timings noisy):
 * the live heap each webapp adds, and the deploy time our jar adds, each against the same Tomcat
 * and webapps without our jar, as medians of alternating runs. The figures go to stdout and to
 * {@code target/bench/scale.txt}, one {@code name value unit} a line.
 *
 * <p>Against the simulator only: the container tests run on both agents already, and this class
 * measures our extension and Tomcat, which the agent behind them would only add noise to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TomcatScaleIT {
    private static final int WEBAPPS = 200;
    /**
     * Tomcat starts of each kind, alternating, for the medians; the first one with our jar is
     * also the one the registrations, threads and shutdown are checked on. On 2 cores a pair of
     * runs (each a start, the checks, a heap histogram and a stop) takes 10 to 20 s: 3 + 3 keep
     * the class under a minute. On a loaded machine a start of 200 webapps can take minutes (it
     * did, at 60 ms a webapp, while Tomcat still parsed our jar at each deploy), so a further
     * pair starts only while the class is within its {@link #BUDGET}; the report says how many ran.
     */
    private static final int RUNS = 3;
    private static final Duration BUDGET = Duration.ofSeconds(150);
    /** Each start of 200 webapps, on a loaded machine too. */
    private static final Duration STARTUP = Duration.ofMinutes(6);
    /**
     * The extension's threads, by role, for the one shared client all the webapps use (one
     * agent list, one token): ConsulClient's transport, an HttpClient 5 async client with one I/O
     * reactor, takes two from its thread factory (the reactor's main thread and its one I/O
     * dispatcher); ConsulClient's {@code scheduler} and {@code events} single threads, made on
     * first use; ClientPool's {@code registrar} pool, bounded at 16 per shared client (made as
     * registrations wait, gone when idle: the bar is the bound, so that 200 webapps registering
     * at once cannot push past it); {@code probes}, only for {@code ttl} checks, none here;
     * {@code stop-call}, only while webapps stop, none here. None of these depends on how many
     * webapps there are.
     */
    private static final Map<String, Integer> SHARED_THREADS = Map.of("io", 2, "scheduler", 1, "events", 1,
            "registrar", 16, "probes", 0);
    private static final Pattern STARTUP_TIME = Pattern.compile("Server startup in \\[([^\\]]+)\\] milliseconds");
    private static final Pattern DEPLOYED = Pattern.compile(
            "Deployment of web application directory \\[[^\\]]*app\\d{3}\\] has finished in \\[([^\\]]+)\\] ms");
    private static final Pattern EXTENSION_THREAD = Pattern.compile("^\"(consul-servlet-([a-z]+)-\\d+)\"", Pattern.MULTILINE);
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$", Pattern.MULTILINE);

    private final long began = System.nanoTime();
    private AgentView agent;
    /** The services' names: {@code <prefix>-001} .. {@code <prefix>-200}, unique to this run. */
    private String prefix;
    private Path withJar;
    private Path withoutJar;
    private ContainerProcess tomcat;
    private int port;

    private final List<Long> startupWith = new ArrayList<>();
    private final List<Long> startupWithout = new ArrayList<>();
    private final List<Long> webappDeployWith = new ArrayList<>();
    private final List<Long> webappDeployWithout = new ArrayList<>();
    private final List<Long> heapWith = new ArrayList<>();
    private final List<Long> heapWithout = new ArrayList<>();
    private Map<String, Integer> threads;

    @BeforeAll
    void install() throws IOException {
        agent = new AgentView(ConsulTestAgent.startSimulator());
        prefix = agent.agent.unique("scale");
        String version = System.getProperty("tomcat.versions").split(",")[0];
        // checks every second, so that the await below sees each one probed, not just registered passing
        String valve = "<Valve className=\"io.github.consulservlet.tomcat.ConsulValve\" agent=\"" + agent.url() + "\""
                + agent.agent.token().map(t -> " token=\"" + t + "\"").orElse("") + " checkInterval=\"1s\"/>";
        withJar = TomcatInstall.install(version, "tomcat-scale-with", valve, 0);
        withoutJar = TomcatInstall.installWithoutOurJar(version, "tomcat-scale-without", 0);
        writeWebapps(withJar);
        writeWebapps(withoutJar);
    }

    /** Tomcat's bundled webapps out, so that only ours are measured; ours in as exploded directories. */
    private void writeWebapps(Path base) throws IOException {
        Path webapps = base.resolve("webapps");
        Copy.delete(webapps);
        for (int i = 1; i <= WEBAPPS; i++) {
            String n = "%03d".formatted(i);
            Path app = Files.createDirectories(webapps.resolve("app" + n + "/WEB-INF"));
            Files.writeString(app.resolve("web.xml"), """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                             xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                             version="6.0">
                      <context-param><param-name>consul.service.name</param-name><param-value>%s</param-value></context-param>
                    </web-app>
                    """.formatted(serviceName(i)), StandardCharsets.UTF_8);
            Files.writeString(app.resolveSibling("index.html"), "app " + n, StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    void cleanUp() {
        if (tomcat != null) {
            tomcat.close();
        }
        if (agent != null) {
            ours().forEach(s -> agent.consul.agent().deregister(s.id()));
            agent.close();
        }
    }

    @Test
    @Order(1)
    void twoHundredWebappsAreAllRegisteredWithPassingChecksAndTheExtensionRunsOnItsSharedThreadsAlone() throws IOException {
        start(withJar, startupWith, webappDeployWith);
        awaitAllPassing();
        Map<String, Integer> registered = extensionThreads();
        heapWith.add(liveHeapAfterOneRequestEach(withJar));
        threads = extensionThreads();
        System.out.println("consul-servlet threads with " + WEBAPPS + " webapps: " + registered + ", then " + threads);
        // only the shared ones, whatever the number of webapps: once all are registered, and again
        // after a request to each and more anti-entropy passes (a shared thread made on first use
        // may have come meanwhile; no more than the shared set)
        for (Map<String, Integer> seen : List.of(registered, threads)) {
            seen.forEach((role, count) -> assertTrue(count <= SHARED_THREADS.getOrDefault(role, 0),
                    () -> count + " consul-servlet-" + role + " threads for " + WEBAPPS + " webapps: " + seen + "\n"
                            + tomcat.jcmd("Thread.print")));
        }
        // one shared client for all 200: one transport's two I/O threads
        assertEquals(2, threads.get("io"), threads::toString);
    }

    @Test
    @Order(2)
    void shutdownDeregistersEveryWebappBeforeTheProcessExits() {
        stopAndCheckNothingIsLeft();
    }

    @Test
    @Order(3)
    void deployTimeAndHeapWithAndWithoutOurJarAreMeasuredOnAlternatingRunsAndReported() throws IOException {
        int runs = 0;
        for (int run = 0; run < RUNS; run++) {
            if (run > 0 && Duration.ofNanos(System.nanoTime() - began).compareTo(BUDGET) > 0) {
                break; // a loaded machine: fewer runs, as the report says
            }
            runs++;
            if (run > 0) { // the first with our jar was the one above
                start(withJar, startupWith, webappDeployWith);
                awaitAllPassing();
                heapWith.add(liveHeapAfterOneRequestEach(withJar));
                stopAndCheckNothingIsLeft();
            }
            start(withoutJar, startupWithout, webappDeployWithout);
            heapWithout.add(liveHeapAfterOneRequestEach(withoutJar));
            tomcat.signalStop();
            tomcat.awaitExit(Duration.ofSeconds(60));
            assertTrue(ours().isEmpty(), "nothing registers without our jar");
        }
        assertEquals(runs, startupWith.size());
        assertEquals(runs, startupWithout.size());
        report();
        // the agent is left as it was found: none of our services or checks, and an empty simulator
        assertTrue(ours().isEmpty());
        assertTrue(agent.consul.agent().checks().keySet().stream().noneMatch(id -> id.contains(prefix)));
        if (!agent.agent.isReal()) {
            assertEquals(Map.of(), agent.consul.agent().services());
            assertEquals(Map.of(), agent.consul.agent().checks());
        }
    }

    /** Starts Tomcat and notes its startup time and its 200 webapps' own deploy times. */
    private void start(Path base, List<Long> startups, List<Long> webappDeploys) {
        if (tomcat != null) {
            tomcat.close(); // the previous run's, when a failed assertion left it running
        }
        tomcat = TomcatInstall.start(base, "", STARTUP);
        port = TomcatInstall.boundPort(tomcat);
        String log = tomcat.log();
        Matcher startup = STARTUP_TIME.matcher(log);
        assertTrue(startup.find(), log);
        startups.add(number(startup.group(1)));
        Matcher deployed = DEPLOYED.matcher(log);
        int count = 0;
        while (deployed.find()) {
            webappDeploys.add(number(deployed.group(1)));
            count++;
        }
        assertEquals(WEBAPPS, count, log);
        assertFalse(log.contains("not deployed"), log);
    }

    /** Every webapp registered once, its HTTP check probed by the agent at least once, and passing. */
    private void awaitAllPassing() {
        await("all " + WEBAPPS + " registered, probed and passing").atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    Map<String, AgentCheck> checks = agent.consul.agent().checks();
                    List<AgentService> ours = ours();
                    long passing = ours.stream().map(s -> checks.get("service:" + s.id()))
                            .filter(c -> c != null && c.status() == CheckStatus.PASSING && c.output().contains(" 200 OK"))
                            .count();
                    return ours.size() == WEBAPPS && passing == WEBAPPS
                            && ours.stream().map(AgentService::name).distinct().count() == WEBAPPS;
                });
        for (AgentService service : ours()) {
            assertEquals(port, service.port(), service::toString);
            assertEquals("127.0.0.1", service.address(), service::toString);
        }
    }

    /** Signals Tomcat to stop, then, once it has exited, finds none of the 200 left in the agent. */
    private void stopAndCheckNothingIsLeft() {
        int registered = ours().size();
        tomcat.signalStop();
        tomcat.awaitExit(Duration.ofSeconds(120));
        assertEquals(WEBAPPS, registered, "registered when Tomcat was asked to stop");
        assertEquals(List.of(), ours(), "registered after Tomcat exited");
        assertTrue(agent.consul.agent().checks().keySet().stream().noneMatch(id -> id.contains(prefix)));
    }

    /**
     * Asks each webapp once for its page (so that both kinds of run have served every webapp,
     * as the agent's checks do with our jar), then the JVM's live heap: {@code GC.class_histogram}
     * runs a full GC first and ends with the total bytes of what is left. The histogram is kept
     * in the installation's {@code logs}, to see what makes the difference.
     */
    private long liveHeapAfterOneRequestEach(Path base) throws IOException {
        for (int i = 1; i <= WEBAPPS; i++) {
            String n = "%03d".formatted(i);
            assertEquals("app " + n, get("http://127.0.0.1:" + port + "/app" + n + "/").body());
        }
        String histogram = tomcat.jcmd("GC.class_histogram");
        Files.writeString(base.resolve("logs/class-histogram.txt"), histogram, StandardCharsets.UTF_8);
        Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
        assertTrue(total.find(), histogram);
        return Long.parseLong(total.group(2));
    }

    /** The live threads of Tomcat's JVM named {@code consul-servlet-<role>-<n>}, counted by role. */
    private Map<String, Integer> extensionThreads() {
        Matcher thread = EXTENSION_THREAD.matcher(tomcat.jcmd("Thread.print"));
        Map<String, List<String>> names = new TreeMap<>();
        while (thread.find()) {
            List<String> role = names.computeIfAbsent(thread.group(2), r -> new ArrayList<>());
            if (!role.contains(thread.group(1))) {
                role.add(thread.group(1));
            }
        }
        Map<String, Integer> counts = new TreeMap<>();
        names.forEach((role, list) -> counts.put(role, list.size()));
        return counts;
    }

    private List<AgentService> ours() {
        Predicate<AgentService> ours = s -> s.name().startsWith(prefix + "-");
        return agent.consul.agent().services().values().stream().filter(ours).toList();
    }

    private String serviceName(int i) {
        return prefix + "-%03d".formatted(i);
    }

    private void report() throws IOException {
        long with = median(startupWith);
        long without = median(startupWithout);
        long heapAdded = median(heapWith) - median(heapWithout);
        List<String> lines = new ArrayList<>();
        lines.add("# consul-servlet scale, " + OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS) + ", Tomcat "
                + System.getProperty("tomcat.versions").split(",")[0] + ", Java " + System.getProperty("java.vm.version")
                + " (" + System.getProperty("java.vm.name") + "), availableProcessors "
                + Runtime.getRuntime().availableProcessors() + ", " + startupWith.size() + " runs with and "
                + startupWithout.size() + " without our jar, alternating; medians");
        lines.add("scale_webapps " + WEBAPPS + " count");
        lines.add("scale_extension_threads " + (threads == null ? "unmeasured"
                : threads.values().stream().mapToInt(Integer::intValue).sum()) + " threads");
        if (threads != null) {
            threads.forEach((role, count) -> lines.add("scale_extension_threads_" + role + " " + count + " threads"));
        }
        lines.add("scale_heap_live_with_median " + median(heapWith) + " bytes");
        lines.add("scale_heap_live_without_median " + median(heapWithout) + " bytes");
        lines.add("scale_heap_per_webapp " + heapAdded / WEBAPPS + " bytes");
        lines.add("scale_deploy_ms_with_median " + with + " ms");
        lines.add("scale_deploy_ms_without_median " + without + " ms");
        lines.add("scale_deploy_added_ms_per_webapp " + "%.2f".formatted((with - without) / (double) WEBAPPS) + " ms");
        lines.add("scale_webapp_deploy_ms_with_median " + median(webappDeployWith) + " ms");
        lines.add("scale_webapp_deploy_ms_without_median " + median(webappDeployWithout) + " ms");
        lines.add("scale_deploy_ms_with_runs " + String.join(",", startupWith.stream().map(String::valueOf).toList()) + " ms");
        lines.add("scale_deploy_ms_without_runs " + String.join(",", startupWithout.stream().map(String::valueOf).toList()) + " ms");
        Path bench = Files.createDirectories(Path.of("target", "bench"));
        Files.write(bench.resolve("scale.txt"), lines, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        out.println("---- consul-servlet scale (" + bench.resolve("scale.txt").toAbsolutePath() + ") ----");
        lines.forEach(out::println);
        out.println("----");
    }

    private static long median(List<Long> values) {
        assertTrue(!values.isEmpty(), "nothing measured");
        List<Long> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** A number as Tomcat prints it, perhaps with grouping separators. */
    private static long number(String printed) {
        return Long.parseLong(printed.replaceAll("[^0-9]", ""));
    }
}
