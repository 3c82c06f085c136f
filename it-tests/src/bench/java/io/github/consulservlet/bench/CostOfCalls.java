package io.github.consulservlet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;

/**
 * What one call costs each client, measured by {@link CallCost} in a JVM per client, against two
 * servers in processes of their own: the real agent, and the {@link StaticAgent} replaying the
 * real agent's answers, whose cost is near nothing. The rows are ours, the two peers, and the
 * floor: a bare HttpClient 5 request and a Gson parse of the same body.
 */
final class CostOfCalls {
    static final List<String> CLIENTS = List.of("ours", "kiwiproject", "ecwid", "floor");
    private static final List<String> PEERS = List.of("kiwiproject", "ecwid");
    private static final double WARM_UP_SECONDS = Double.parseDouble(System.getProperty("bench.cost.warmup", "4"));
    private static final double MEASURED_SECONDS = Double.parseDouble(System.getProperty("bench.cost.seconds", "3"));
    private static final Duration FORK_LIMIT = Duration.ofMinutes(5);

    /** The median cost of one call by {@code client} of {@code endpoint} against {@code server}. */
    record Cost(String server, Endpoint endpoint, String client, double cpuMicros, double bytes) {
    }

    private CostOfCalls() {
    }

    /** Every cost, against the real agent then the static server. */
    static List<Cost> measure(Path out) throws Exception {
        List<Cost> costs = new ArrayList<>();
        try (ConsulTestAgent agent = ConsulTestAgent.own(AgentKind.REAL)) {
            try (ConsulClient client = ConsulClient.builder().agents(agent.address()).build()) {
                seed(client);
            }
            Path recording = out.resolve("static-agent");
            record(agent.uri(), recording);
            // without TCP_NODELAY the JDK's server and the client's delayed ACKs cost 40 ms a call
            Process staticAgent = fork(StaticAgent.class, "-Dsun.net.httpserver.nodelay=true", recording.toString());
            try {
                String staticAddress = "127.0.0.1:" + port(staticAgent);
                for (String client : CLIENTS) {
                    costs.addAll(run("real agent", agent.address(), client));
                }
                for (String client : CLIENTS) {
                    costs.addAll(run("static server", staticAddress, client));
                }
            } finally {
                staticAgent.destroyForcibly();
            }
        }
        return costs;
    }

    /** The key and two services of 10 and 100 instances whose TTL checks pass for the run. */
    private static void seed(ConsulClient client) {
        client.kv().set(Endpoint.KEY, Endpoint.VALUE);
        client.kv().set(Endpoint.PUT_KEY, Endpoint.VALUE);
        for (Map.Entry<String, Integer> service : Map.of(Endpoint.SERVICE_10, 10, Endpoint.SERVICE_100, 100).entrySet()) {
            for (int i = 1; i <= service.getValue(); i++) {
                client.agent().register(ServiceRegistration.builder(service.getKey()).id(service.getKey() + "-" + i)
                        .address("127.0.0.1").port(20_000 + i).tags(List.of("v1", "bench")).meta(Map.of("zone", "a"))
                        .check(CheckDefinition.ttl(Duration.ofHours(1)).status(CheckStatus.PASSING).build())
                        .build());
            }
        }
        if (client.discovery().service(Endpoint.SERVICE_100).size() != 100) {
            throw new IllegalStateException("the real agent does not list 100 passing instances of " + Endpoint.SERVICE_100);
        }
    }

    /** The real agent's answers, with their {@code X-Consul-*} headers, as the static server replays them. */
    private static void record(URI agent, Path recording) throws IOException, InterruptedException {
        Files.createDirectories(recording);
        HttpClient http = HttpClient.newHttpClient();
        List<String> routes = new ArrayList<>();
        Map<String, HttpRequest> answers = Map.of(
                "GET /v1/kv/" + Endpoint.KEY, get(agent, "/v1/kv/" + Endpoint.KEY),
                "PUT /v1/kv/" + Endpoint.PUT_KEY, HttpRequest.newBuilder(agent.resolve("/v1/kv/" + Endpoint.PUT_KEY))
                        .PUT(HttpRequest.BodyPublishers.ofString(Endpoint.VALUE)).build(),
                "GET /v1/health/service/" + Endpoint.SERVICE_10, get(agent, "/v1/health/service/" + Endpoint.SERVICE_10 + "?passing"),
                "GET /v1/health/service/" + Endpoint.SERVICE_100, get(agent, "/v1/health/service/" + Endpoint.SERVICE_100 + "?passing"),
                "GET /v1/catalog/services", get(agent, "/v1/catalog/services"));
        int n = 0;
        for (Map.Entry<String, HttpRequest> answer : answers.entrySet()) {
            HttpResponse<byte[]> response = http.send(answer.getValue(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(answer.getKey() + " answered " + response.statusCode());
            }
            String file = "answer-" + (n++) + ".json";
            Files.write(recording.resolve(file), response.body());
            routes.add("PATH " + answer.getKey());
            response.headers().map().forEach((name, values) -> {
                if (name.toLowerCase(Locale.ROOT).startsWith("x-consul-") || name.equalsIgnoreCase("content-type")) {
                    values.forEach(value -> routes.add("HEADER " + name + ": " + value));
                }
            });
            routes.add("BODY " + file);
        }
        Files.write(recording.resolve(StaticAgent.ROUTES), routes);
    }

    private static HttpRequest get(URI agent, String pathAndQuery) {
        return HttpRequest.newBuilder(agent.resolve(pathAndQuery)).build();
    }

    private static List<Cost> run(String server, String address, String client) throws Exception {
        System.out.println("  " + client + " against the " + server + " (" + address + ")");
        Process process = fork(CallCost.class, client, address, String.valueOf(WARM_UP_SECONDS),
                String.valueOf(MEASURED_SECONDS));
        List<String> lines = new ArrayList<>();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                lines.add(line);
            }
        }
        if (!process.waitFor(FORK_LIMIT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(client + " against the " + server + " failed:\n" + String.join("\n", lines));
        }
        List<CallCost.Measured> rounds = CallCost.Measured.parse(lines);
        List<Cost> costs = new ArrayList<>();
        for (Endpoint endpoint : Endpoint.values()) {
            List<CallCost.Measured> of = rounds.stream().filter(m -> m.endpoint() == endpoint).toList();
            if (of.isEmpty()) {
                throw new IllegalStateException(client + " measured no " + endpoint + ":\n" + String.join("\n", lines));
            }
            costs.add(new Cost(server, endpoint, client, median(of, CallCost.Measured::cpuNanos) / 1000,
                    median(of, CallCost.Measured::bytes)));
        }
        return costs;
    }

    private static double median(List<CallCost.Measured> rounds, java.util.function.ToDoubleFunction<CallCost.Measured> f) {
        List<Double> sorted = rounds.stream().map(f::applyAsDouble).sorted(Comparator.naturalOrder()).toList();
        return sorted.get(sorted.size() / 2);
    }

    /** A JVM running {@code main} with {@code args}; those starting with {@code -D} are the JVM's. */
    private static Process fork(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path")));
        List.of(args).stream().filter(a -> a.startsWith("-D")).forEach(command::add);
        command.add(main.getName());
        List.of(args).stream().filter(a -> !a.startsWith("-D")).forEach(command::add);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int port(Process staticAgent) throws IOException {
        BufferedReader output = new BufferedReader(new InputStreamReader(staticAgent.getInputStream(), StandardCharsets.UTF_8));
        String line = output.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            throw new IllegalStateException("the static server did not start: " + line);
        }
        return Integer.parseInt(line.substring(5));
    }

    /** The cost of {@code client}, for the figure. */
    static Cost of(List<Cost> costs, String server, Endpoint endpoint, String client) {
        return costs.stream().filter(c -> c.server().equals(server) && c.endpoint() == endpoint && c.client().equals(client))
                .findFirst().orElseThrow();
    }

    /** The peer with the lowest {@code figure}. */
    static Cost bestPeer(List<Cost> costs, String server, Endpoint endpoint, java.util.function.ToDoubleFunction<Cost> figure) {
        return PEERS.stream().map(peer -> of(costs, server, endpoint, peer)).min(Comparator.comparingDouble(figure))
                .orElseThrow();
    }
}
