package io.github.consulservlet.simulator;

import static io.github.consulservlet.simulator.Bodies.array;
import static io.github.consulservlet.simulator.Bodies.json;
import static io.github.consulservlet.simulator.Bodies.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * The agent's HTTP API over {@link State}: path cleaning, routing to the endpoint groups
 * ({@link AgentEndpoints}, {@link CatalogEndpoints}, {@link KvEndpoints}, {@link SessionEndpoints}),
 * ACL, blocking queries, and the faults a test asks for. Each behaviour names the Consul page it follows.
 */
final class Api implements HttpHandler {
    /** https://developer.hashicorp.com/consul/api-docs/features/blocking: default and maximum wait. */
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    /** One request, its body read, as it arrived. */
    record Incoming(HttpExchange exchange, String method, String path, Params params, byte[] body, long generation) {
    }

    /** A read's answer: what to send, the index it reports, and the index or hash a waiter watches. */
    record Answer(int status, byte[] body, long index, long watchIndex, String hash) {
    }

    private static final class Waiter {
        final Incoming in;
        final Supplier<Answer> query;
        final long minIndex;
        final String minHash;
        ScheduledFuture<?> timeout;

        Waiter(Incoming in, Supplier<Answer> query, long minIndex, String minHash) {
            this.in = in;
            this.query = query;
            this.minIndex = minIndex;
            this.minHash = minHash;
        }

        boolean wakes(Answer answer) {
            return minHash != null ? !minHash.equals(answer.hash()) : answer.watchIndex() > minIndex;
        }
    }

    /** Something to send once the agent answers again, and the request it answers. */
    private record Held(Incoming in, Runnable action) {
    }

    private final State state;
    private final SimulatorSettings settings;
    private final ScheduledExecutorService timers;
    private final ExecutorService responder;
    private final AgentEndpoints agent;
    private final CatalogEndpoints catalog;
    private final KvEndpoints kv;
    private final SessionEndpoints sessions;
    /** Blocking queries waiting for a change; guarded by the monitor of {@link #state}. */
    private final List<Waiter> waiters = new ArrayList<>();
    private final AtomicBoolean recheckPending = new AtomicBoolean();

    private final AtomicLong received = new AtomicLong();
    private volatile boolean answering = true;
    /** Moves on each time the agent goes down: what arrived before is never acted on. */
    private final AtomicLong generation = new AtomicLong();
    /** What was received or became ready while not answering; guarded by itself. */
    private final List<Held> held = new ArrayList<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile ApiError failure;

    Api(State state, SimulatorSettings settings, ScheduledExecutorService timers, ExecutorService responder) {
        this.state = state;
        this.settings = settings;
        this.timers = timers;
        this.responder = responder;
        Views views = new Views(state);
        agent = new AgentEndpoints(this, state, views);
        catalog = new CatalogEndpoints(this, state, views);
        kv = new KvEndpoints(this, state, views);
        sessions = new SessionEndpoints(this, state, views, settings);
    }

    // ---------------------------------------------------------------- faults

    void answering(boolean on) {
        List<Held> release = List.of();
        synchronized (held) {
            answering = on;
            if (on) {
                release = List.copyOf(held);
                held.clear();
            }
        }
        release.forEach(h -> responder.execute(h.action()));
    }

    /** Runs {@code action} now, or when the agent answers again. */
    private void deliver(Incoming in, Runnable action) {
        synchronized (held) {
            if (!answering) {
                held.add(new Held(in, action));
                return;
            }
        }
        action.run();
    }

    long receivedRequests() {
        return received.get();
    }

    int heldRequests() {
        synchronized (held) {
            return held.size();
        }
    }

    int blockedQueries() {
        synchronized (state) {
            return waiters.size();
        }
    }

    /**
     * The port was closed: requests that arrived before (held, delayed or waiting) are dropped
     * and never applied, even once it listens again, as a stopped agent applies no late writes.
     */
    void wentDown() {
        generation.incrementAndGet();
        List<HttpExchange> dropped = new ArrayList<>();
        synchronized (state) {
            waiters.forEach(w -> w.timeout.cancel(false));
            waiters.forEach(w -> dropped.add(w.in.exchange()));
            waiters.clear();
        }
        synchronized (held) {
            held.forEach(h -> dropped.add(h.in().exchange()));
            held.clear();
        }
        dropped.forEach(HttpExchange::close);
    }

    void latency(Duration delay) {
        latency = delay;
    }

    void failing(ApiError error) {
        failure = error;
    }

    // ---------------------------------------------------------------- dispatch

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        received.incrementAndGet();
        Incoming in;
        try {
            in = new Incoming(exchange, exchange.getRequestMethod(), decodePath(exchange.getRequestURI().getRawPath()),
                    new Params(exchange.getRequestURI().getRawQuery()), body, generation.get());
        } catch (ApiError e) {
            send(exchange, e.status, text(e.getMessage()), "text/plain; charset=utf-8", Map.of());
            return;
        }
        Duration delay = latency;
        if (delay.isZero()) {
            deliver(in, () -> process(in));
        } else {
            timers.schedule(() -> responder.execute(() -> deliver(in, () -> process(in))), delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private boolean stale(Incoming in) {
        return in.generation() != generation.get();
    }

    private void process(Incoming in) {
        if (stale(in)) {
            in.exchange().close();
            return;
        }
        try {
            ApiError injected = failure;
            if (injected != null) {
                throw injected;
            }
            route(in);
        } catch (ApiError e) {
            sendText(in, e.status, e.getMessage());
        } catch (RuntimeException e) {
            sendText(in, 500, e.toString());
        }
    }

    private void route(Incoming in) {
        String path = in.path();
        // https://pkg.go.dev/net/http#ServeMux: a path with . or .. segments or repeated slashes is
        // redirected to the clean one, and /v1/kv to the subtree /v1/kv/. The path cleaned is the
        // escaped one, so %2E and %2F are data (a real agent stores /v1/kv/a/%2E%2E as the key
        // "a/.."). The redirect is a 307 (Go CL 720820), and its Location escapes the escaped path
        // once more ("/a//b%2fc" becomes "/a/b/%252fc", Go CL 792860): as Consul 1.14.11 built
        // with Go 1.26 answers. Go's http.Redirect writes a body only for GET and HEAD.
        String raw = in.exchange().getRequestURI().getRawPath();
        String clean = cleanPath(raw);
        if (!clean.equals(raw) || path.equals("/v1/kv")) {
            String location = (path.equals("/v1/kv") ? "/v1/kv/" : clean.replace("%", "%25"))
                    + (in.params().raw.isEmpty() ? "" : "?" + in.params().raw);
            boolean body = in.method().equals("GET") || in.method().equals("HEAD");
            send(in.exchange(), 307, body ? text("<a href=\"" + location + "\">Temporary Redirect</a>.\n") : new byte[0],
                    body ? "text/html; charset=utf-8" : null, Map.of("Location", location));
            return;
        }
        if (path.startsWith("/v1/status/")) {
            status(in, path.substring("/v1/status/".length()));
            return;
        }
        // The open-source agent (agent/http_ce.go, parseEntMeta) refuses Enterprise's namespace and
        // admin partition, before it looks at the token: https://developer.hashicorp.com/consul/api-docs/agent/service#ns
        if (in.params().get("ns") != null && !in.params().get("ns").isEmpty()) {
            throw new ApiError(400, "Invalid query parameter: \"ns\" - Namespaces are a Consul Enterprise feature");
        }
        if (in.params().get("partition") != null && !in.params().get("partition").isEmpty()) {
            throw new ApiError(400, "Invalid query parameter: \"partition\" - Partitions are a Consul Enterprise feature");
        }
        authorize(in);
        // Every endpoint takes ?dc= (e.g. https://developer.hashicorp.com/consul/api-docs/kv#dc);
        // with one datacenter, any other has no path.
        String dc = in.params().get("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(state.datacenter)) {
            throw new ApiError(500, "No path to datacenter");
        }
        // https://developer.hashicorp.com/consul/api-docs/features/consistency: one mode per read.
        if (in.params().has("stale") && in.params().has("consistent")) {
            throw new ApiError(400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        if (path.startsWith("/v1/kv/")) {
            kv.handle(in, path.substring("/v1/kv/".length()));
        } else if (path.startsWith("/v1/agent/")) {
            agent.handle(in, path.substring("/v1/agent/".length()));
        } else if (path.startsWith("/v1/catalog/")) {
            catalog.catalog(in, path.substring("/v1/catalog/".length()));
        } else if (path.startsWith("/v1/health/")) {
            catalog.health(in, path.substring("/v1/health/".length()));
        } else if (path.startsWith("/v1/session/")) {
            sessions.handle(in, path.substring("/v1/session/".length()));
        } else {
            throw notFound();
        }
    }

    static ApiError notFound() {
        return new ApiError(404, "Invalid URL path: not a recognized HTTP API endpoint");
    }

    static void method(Incoming in, String... allowed) {
        for (String m : allowed) {
            if (m.equals(in.method())) {
                return;
            }
        }
        throw new ApiError(405, "method " + in.method() + " not allowed");
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/api-structure#authentication: the token
     * comes from {@code ?token=}, then {@code X-Consul-Token}, then {@code Authorization: Bearer}.
     * An unknown token is "ACL not found"; none at all is the anonymous token, denied here.
     */
    private void authorize(Incoming in) {
        String required = settings.aclToken();
        if (required == null) {
            return;
        }
        String token = in.params().get("token");
        if (token == null || token.isEmpty()) {
            token = in.exchange().getRequestHeaders().getFirst("X-Consul-Token");
        }
        String authorization = in.exchange().getRequestHeaders().getFirst("Authorization");
        if ((token == null || token.isEmpty()) && authorization != null
                && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        }
        if (token == null || token.isEmpty()) {
            throw new ApiError(403, "Permission denied: anonymous token lacks permission '" + permission(in)
                    + "' on \"" + resource(in) + "\". The anonymous token is used implicitly when a request"
                    + " does not specify a token.");
        }
        if (!token.equals(required)) {
            throw new ApiError(403, "ACL not found");
        }
    }

    private static String permission(Incoming in) {
        String path = in.path();
        String kind = path.startsWith("/v1/kv/") ? "key"
                : path.startsWith("/v1/session/") ? "session"
                : path.startsWith("/v1/agent/self") ? "agent"
                : path.startsWith("/v1/catalog/nodes") ? "node"
                : "service";
        return kind + ("GET".equals(in.method()) ? ":read" : ":write");
    }

    private static String resource(Incoming in) {
        String path = in.path();
        int tail = path.indexOf('/', "/v1/".length());
        String rest = tail < 0 ? "" : path.substring(tail + 1);
        return path.startsWith("/v1/kv/") ? rest : rest.substring(rest.lastIndexOf('/') + 1);
    }

    // ---------------------------------------------------------------- status

    /** https://developer.hashicorp.com/consul/api-docs/status: this agent is the one server and the leader. */
    private void status(Incoming in, String what) {
        method(in, "GET");
        switch (what) {
            case "leader" -> sendJson(in, new JsonPrimitive("127.0.0.1:8300"));
            case "peers" -> sendJson(in, array(List.of("127.0.0.1:8300")));
            default -> throw notFound();
        }
    }

    // ---------------------------------------------------------------- blocking queries

    /**
     * https://developer.hashicorp.com/consul/api-docs/features/blocking: with {@code index} above
     * 0, the answer waits until the watched data changes past that index or {@code wait} passes
     * (5m by default, at most 10m, plus up to wait/16 of jitter); {@code X-Consul-Index} is
     * always at least 1. The query runs under the state's monitor, so it reads State directly.
     */
    void blockingRead(Incoming in, Supplier<Answer> query) {
        String rawIndex = in.params().get("index");
        long min = 0;
        if (rawIndex != null && !rawIndex.isEmpty()) {
            min = in.params().unsigned("index", "Invalid index");
        }
        if (min == 0) {
            read(in, query, true);
        } else {
            block(in, query, min, null);
        }
    }

    /** Answers a read at once; {@code indexed} adds the index headers. */
    void read(Incoming in, Supplier<Answer> query, boolean indexed) {
        Answer answer;
        synchronized (state) {
            answer = query.get();
        }
        sendAnswer(in, answer, indexed);
    }

    /** Waits for the query's index to pass {@code minIndex}, or its hash to differ from {@code minHash}. */
    void block(Incoming in, Supplier<Answer> query, long minIndex, String minHash) {
        Duration wait = DEFAULT_WAIT;
        String rawWait = in.params().get("wait");
        if (rawWait != null && !rawWait.isEmpty()) {
            try {
                wait = GoDurations.parse(rawWait);
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "Invalid wait time");
            }
        }
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        long jitter = wait.toNanos() / 16 > 0 ? ThreadLocalRandom.current().nextLong(wait.toNanos() / 16) : 0;
        Waiter waiter = new Waiter(in, query, minIndex, minHash);
        Answer now;
        synchronized (state) {
            if (stale(in)) {
                in.exchange().close();
                return;
            }
            now = query.get();
            if (!waiter.wakes(now)) {
                waiters.add(waiter);
                waiter.timeout = timers.schedule(() -> expire(waiter), wait.toNanos() + jitter, TimeUnit.NANOSECONDS);
                return;
            }
        }
        sendAnswer(in, now, minHash == null);
    }

    /** Runs a waiter's query; one that fails is answered 500 rather than left hanging. Under the state's monitor. */
    private static Answer evaluate(Waiter waiter) {
        try {
            return waiter.query.get();
        } catch (RuntimeException e) {
            return new Answer(500, text(e.toString()), 0, 0, "");
        }
    }

    private void answer(Waiter waiter, Answer answer) {
        deliver(waiter.in, () -> sendAnswer(waiter.in, answer, waiter.minHash == null));
    }

    private void expire(Waiter waiter) {
        Answer answer;
        synchronized (state) {
            if (!waiters.remove(waiter)) {
                return;
            }
            answer = evaluate(waiter);
        }
        responder.execute(() -> answer(waiter, answer));
    }

    /**
     * Called under the state's monitor after every write. It only schedules a recheck of the
     * waiters, on the responder thread, so that a write never waits for answers to be sent.
     */
    void changed() {
        if (recheckPending.compareAndSet(false, true)) {
            responder.execute(this::recheck);
        }
    }

    private void recheck() {
        recheckPending.set(false);
        Map<Waiter, Answer> ready = new LinkedHashMap<>();
        synchronized (state) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
                Waiter waiter = it.next();
                Answer answer = evaluate(waiter);
                if (answer.status() == 500 || waiter.wakes(answer)) {
                    it.remove();
                    waiter.timeout.cancel(false);
                    ready.put(waiter, answer);
                }
            }
        }
        ready.forEach(this::answer);
    }

    // ---------------------------------------------------------------- sending

    /**
     * Index reads carry {@code X-Consul-Index} (features/blocking) and, as the only server is
     * always the leader, {@code X-Consul-KnownLeader: true} and {@code X-Consul-LastContact: 0}
     * (https://developer.hashicorp.com/consul/api-docs/features/consistency); hash reads carry
     * {@code X-Consul-ContentHash} (agent/service#get-service-configuration).
     */
    void sendAnswer(Incoming in, Answer answer, boolean indexed) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (indexed) {
            headers.put("X-Consul-Index", Long.toString(Math.max(answer.index(), 1)));
            headers.put("X-Consul-KnownLeader", "true");
            headers.put("X-Consul-LastContact", "0");
            headers.put("X-Consul-Effective-Consistency", in.params().has("consistent") ? "consistent"
                    : in.params().has("stale") ? "stale" : "leader");
        } else if (!answer.hash().isEmpty()) {
            headers.put("X-Consul-ContentHash", answer.hash());
        }
        boolean raw = in.params().has("raw") && answer.status() == 200;
        String type = answer.status() == 200 ? (raw ? "application/octet-stream" : "application/json")
                : "text/plain; charset=utf-8";
        send(in.exchange(), answer.status(), answer.body(), type, headers);
    }

    void sendJson(Incoming in, JsonElement body) {
        send(in.exchange(), 200, json(body), "application/json", Map.of());
    }

    void sendEmpty(Incoming in) {
        send(in.exchange(), 200, new byte[0], "application/json", Map.of());
    }

    private void sendText(Incoming in, int status, String message) {
        send(in.exchange(), status, text(message), "text/plain; charset=utf-8", Map.of());
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String type, Map<String, String> headers) {
        try (exchange) {
            if (type != null) {
                exchange.getResponseHeaders().set("Content-Type", type);
            }
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            // the caller went away: a client that gave up on a blocking query, or a closing simulator
        }
    }

    // ---------------------------------------------------------------- paths

    /** Percent-decodes a raw path as Go's {@code url.URL.Path} holds it: {@code %2F} becomes a slash. */
    static String decodePath(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new ApiError(400, "invalid URL escape \"" + raw.substring(i) + "\"");
                }
                try {
                    out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    throw new ApiError(400, "invalid URL escape \"" + raw.substring(i, i + 3) + "\"");
                }
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Go's ServeMux {@code cleanPath}: {@code path.Clean}, keeping a trailing slash. */
    static String cleanPath(String path) {
        List<String> kept = new ArrayList<>();
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!kept.isEmpty()) {
                    kept.remove(kept.size() - 1);
                }
            } else {
                kept.add(segment);
            }
        }
        String clean = "/" + String.join("/", kept);
        return path.endsWith("/") && !clean.equals("/") ? clean + "/" : clean;
    }
}
