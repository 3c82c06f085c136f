package io.github.consulservlet.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.registration.RegistrationLatency;
import io.github.consulservlet.simulator.ConsulSimulator;

/**
 * Runs the benchmarks of the {@code bench} profile against one Consul simulator, so that every
 * client, ours and the peers, meets the same server with the same data in the same run: the JMH
 * benchmarks (in forked JVMs told the simulator's address), then the registration latency and
 * the threads that hold 1,000 watches (in this JVM). Prints the figures with the design's
 * targets and writes {@code summary.txt}, one {@code name ours peer ratio} line per figure, and
 * JMH's JSON into {@code -Dbench.out}.
 */
public final class BenchMain {
    static final String COMMAND = "mvn -B -ntp -Pbench verify";
    private static final String BENCHMARKS = "io\\.github\\.consulservlet\\.bench\\.(Uncached|Cached)Benchmarks\\..*";
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    private static final int LATENCY_WARMUPS = 5;
    private static final int LATENCY_SAMPLES = 30;

    /** Keeps the extension's INFO lines (a registration per sample) out of the report; held, as JUL keeps loggers weakly. */
    private static final Logger QUIET = Logger.getLogger("io.github.consulservlet");

    private final List<String> lines = new ArrayList<>();
    private final List<String> verdicts = new ArrayList<>();

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        QUIET.setLevel(Level.WARNING);
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        Files.createDirectories(out);
        int status = 1;
        try (ConsulSimulator simulator = ConsulSimulator.builder().host("127.0.0.1").port(0).build()) {
            try (ConsulClient client = ConsulClient.builder().agents(simulator.address()).build()) {
                Seed.write(client);
            }
            warmUp(simulator);
            new BenchMain().run(simulator, out);
            status = 0;
        } catch (Exception | Error e) {
            e.printStackTrace();
        } finally {
            System.out.flush();
            System.exit(status); // peers' pools may leave non-daemon threads behind
        }
    }

    private void run(ConsulSimulator simulator, Path out) throws Exception {
        if (!Boolean.getBoolean("bench.skipJmh")) { // only to try the other figures quickly
            throughputs(jmh(simulator.address(), out));
        }
        if (!Boolean.getBoolean("bench.skipCost")) {
            costs(out);
        }

        System.out.println("Registration latency: " + LATENCY_SAMPLES + " lone deployments, started -> check passing");
        List<Double> latencies = new ArrayList<>(RegistrationLatency.measure(simulator, LATENCY_WARMUPS, LATENCY_SAMPLES));
        latencies.sort(null);
        double median = percentile(latencies, 50);
        double p90 = percentile(latencies, 90);

        System.out.println("Threads holding " + WatchThreads.WATCHES + " watches: ours, then kiwiproject's caches");
        WatchThreads.Count ours = WatchThreads.ours(simulator.address());
        WatchThreads.Count kiwi = WatchThreads.kiwiproject("127.0.0.1", simulator.port());
        System.out.println("  ours: " + ours.byName());
        System.out.println("  kiwiproject: " + kiwi.byName());
        int oursThreads = ours.threads();
        int kiwiThreads = kiwi.threads();
        lines.add(String.format(Locale.ROOT, "watch_threads_1000_vs_kiwiproject %d %d %s", oursThreads, kiwiThreads,
                oursThreads > 0 ? ratio(kiwiThreads, oursThreads) : "-"));
        verdict("1000 watches held by <= 4 threads", oursThreads <= 4, oursThreads + " threads");

        lines.add(String.format(Locale.ROOT, "registration_latency_ms_median %.2f - -", median));

        report(out, median, p90, latencies);
    }

    /**
     * What one call costs each client, against the real agent and a static server; printed,
     * summed up in the summary, and written into {@code -Dbench.docs} when it is set.
     */
    private void costs(Path out) throws Exception {
        System.out.println("Cost per call: each client in a JVM of its own, against the real agent, then a static server");
        List<CostOfCalls.Cost> costs = CostOfCalls.measure(out);
        String footer = String.format(Locale.ROOT, "Run of %s, Java %s (%s), availableProcessors=%d.",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors());
        List<String> table = CostTable.markdown(costs, footer);
        Files.write(out.resolve("cost.md"), table);
        table.forEach(System.out::println);
        for (CostOfCalls.Cost ours : costs.stream().filter(c -> c.client().equals("ours")).toList()) {
            CostOfCalls.Cost cpu = CostOfCalls.bestPeer(costs, ours.server(), ours.endpoint(), CostOfCalls.Cost::cpuMicros);
            CostOfCalls.Cost bytes = CostOfCalls.bestPeer(costs, ours.server(), ours.endpoint(), CostOfCalls.Cost::bytes);
            CostOfCalls.Cost floor = CostOfCalls.of(costs, ours.server(), ours.endpoint(), "floor");
            String name = "cost_" + ours.endpoint().name().toLowerCase(Locale.ROOT) + "_"
                    + ours.server().replace(' ', '_');
            lines.add(String.format(Locale.ROOT, "%s_cpu_us_vs_best_peer %.1f %.1f %s", name, ours.cpuMicros(),
                    cpu.cpuMicros(), ratio(ours.cpuMicros(), cpu.cpuMicros())));
            lines.add(String.format(Locale.ROOT, "%s_bytes_vs_best_peer %.0f %.0f %s", name, ours.bytes(), bytes.bytes(),
                    ratio(ours.bytes(), bytes.bytes())));
            String verdict = CostTable.verdict(ours, cpu, bytes, floor);
            verdict(ours.endpoint().title + " against the " + ours.server() + ": <= the best peer and <= 2x the floor",
                    verdict.equals("met"), verdict);
        }
        String docs = System.getProperty("bench.docs");
        if (docs != null) {
            CostTable.rewrite(Path.of(docs), table);
            System.out.println("Rewrote the cost table of " + docs);
        }
    }

    private void throughputs(Map<String, RunResult> jmh) {
        RunResult kvOurs = result(jmh, "kvGetOurs");
        RunResult kvKiwi = result(jmh, "kvGetKiwiproject");
        RunResult kvEcwid = result(jmh, "kvGetEcwid");
        RunResult healthOurs = result(jmh, "healthPassingOurs");
        RunResult healthKiwi = result(jmh, "healthPassingKiwiproject");
        RunResult healthEcwid = result(jmh, "healthPassingEcwid");
        RunResult cachedOurs = result(jmh, "cachedLookupOurs");
        RunResult cachedKiwi = result(jmh, "cachedLookupKiwiproject");
        throughput("kv_get_ops_per_s_vs_kiwiproject", kvOurs, kvKiwi);
        throughput("kv_get_ops_per_s_vs_ecwid", kvOurs, kvEcwid);
        throughput("health_passing_ops_per_s_vs_kiwiproject", healthOurs, healthKiwi);
        throughput("health_passing_ops_per_s_vs_ecwid", healthOurs, healthEcwid);
        throughput("cached_lookup_ops_per_s_vs_kiwiproject_cache", cachedOurs, cachedKiwi);
        throughput("cached_lookup_ops_per_s_vs_our_uncached", cachedOurs, healthOurs);
        RunResult kvBest = score(kvKiwi) >= score(kvEcwid) ? kvKiwi : kvEcwid;
        RunResult healthBest = score(healthKiwi) >= score(healthEcwid) ? healthKiwi : healthEcwid;
        verdict("uncached KV get >= the best peer", score(kvOurs) >= score(kvBest), versus(kvOurs, kvBest));
        verdict("uncached health query >= the best peer", score(healthOurs) >= score(healthBest),
                versus(healthOurs, healthBest));
        verdict("cached lookup >= 1000x uncached", score(cachedOurs) >= 1000 * score(healthOurs),
                versus(cachedOurs, healthOurs));
        verdict("cached lookup not slower than kiwiproject's ServiceHealthCache", score(cachedOurs) >= score(cachedKiwi),
                versus(cachedOurs, cachedKiwi));
    }

    /**
     * Serves both reads for a while to a neutral client (the JDK's), so that the simulator, which
     * runs in this JVM, is compiled before the first benchmark: otherwise whichever client JMH
     * runs first would be measured against a cold server.
     */
    private static void warmUp(ConsulSimulator simulator) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<URI> reads = List.of(simulator.uri().resolve("/v1/kv/" + Seed.KEY),
                simulator.uri().resolve("/v1/health/service/" + Seed.SERVICE + "?passing"));
        long until = System.nanoTime() + WARM_UP.toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    int count = 0;
                    while (System.nanoTime() < until) {
                        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(reads.get(count++ % 2)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() != 200) {
                            throw new IllegalStateException("the simulator answered " + answer.statusCode());
                        }
                    }
                    return count;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get();
            }
            System.out.println("Simulator warmed up with " + total + " reads in " + WARM_UP.toSeconds() + " s");
        } finally {
            threads.shutdownNow();
        }
    }

    private static Map<String, RunResult> jmh(String agent, Path out) throws Exception {
        Options options = new OptionsBuilder()
                .include(System.getProperty("bench.include", BENCHMARKS))
                .jvmArgsAppend("-D" + Seed.AGENT_PROPERTY + "=" + agent)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh-result.json").toString())
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, RunResult> byMethod = new HashMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result);
        }
        return byMethod;
    }

    private static RunResult result(Map<String, RunResult> results, String method) {
        RunResult result = results.get(method);
        if (result == null) {
            throw new IllegalStateException("JMH ran no " + method + "; it ran " + results.keySet());
        }
        return result;
    }

    private static double score(RunResult result) {
        return result.getPrimaryResult().getScore();
    }

    /** The ratio with both scores and their 99.9% errors, so that a reader can tell a gap from noise. */
    private static String versus(RunResult ours, RunResult other) {
        String method = other.getParams().getBenchmark();
        return String.format(Locale.ROOT, "%sx: %.0f ± %.0f ops/s against %s's %.0f ± %.0f", ratio(score(ours), score(other)),
                score(ours), ours.getPrimaryResult().getScoreError(), method.substring(method.lastIndexOf('.') + 1),
                score(other), other.getPrimaryResult().getScoreError());
    }

    private void throughput(String name, RunResult ours, RunResult peer) {
        lines.add(String.format(Locale.ROOT, "%s %.0f %.0f %s", name, score(ours), score(peer),
                ratio(score(ours), score(peer))));
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    private void verdict(String target, boolean met, String measured) {
        verdicts.add(String.format(Locale.ROOT, "  %-7s %s (%s)", met ? "MET" : "NOT MET", target, measured));
    }

    /** Nearest-rank percentile of sorted samples. */
    static double percentile(List<Double> sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    private void report(Path out, double median, double p90, List<Double> latencies) throws IOException {
        Runtime runtime = Runtime.getRuntime();
        String header = String.format(Locale.ROOT,
                "# %s, Java %s (%s %s), availableProcessors=%d, command: %s; columns: name ours peer ratio"
                        + " (throughput ratio ours/peer, threads ratio peer/ours)",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), System.getProperty("java.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("java.vm.name"),
                runtime.availableProcessors(), COMMAND);
        List<String> summary = new ArrayList<>();
        summary.add(header);
        summary.addAll(lines);
        Path file = out.resolve("summary.txt");
        Files.write(file, summary);

        System.out.println();
        System.out.println("=== consul-servlet benchmarks (" + file + ") ===");
        System.out.println(header);
        System.out.printf(Locale.ROOT, "%-46s %14s %14s %10s%n", "figure", "ours", "peer", "ratio");
        for (String line : lines) {
            String[] f = line.split(" ");
            System.out.printf(Locale.ROOT, "%-46s %14s %14s %10s%n", f[0], f[1], f[2], f[3]);
        }
        System.out.printf(Locale.ROOT, "registration latency over %d samples: median %.2f ms, p90 %.2f ms,"
                + " min %.2f ms, max %.2f ms%n", latencies.size(), median, p90, latencies.get(0),
                latencies.get(latencies.size() - 1));
        System.out.println("Design targets (a report; the build does not fail on them):");
        verdicts.forEach(System.out::println);
        System.out.println("  (info)  registration latency is reported, not judged: the design's deploy-time"
                + " target (<= 10 ms added to a deploy) concerns the container's start, which registration does not block");
        System.out.println("JMH results: " + out.resolve("jmh-result.json"));
    }
}
