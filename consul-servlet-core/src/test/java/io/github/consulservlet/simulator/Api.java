package io.github.consulservlet.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * The agent's HTTP API over {@link State}: routing, ACL, parameters, JSON as Consul writes it,
 * blocking queries, and the faults a test asks for. Each behaviour names the Consul page it follows.
 */
final class Api implements HttpHandler {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    /** https://developer.hashicorp.com/consul/docs/agent/config/config-files#kv_max_value_size */
    static final int KV_MAX_VALUE_SIZE = 512 * 1024;
    /** https://developer.hashicorp.com/consul/api-docs/features/blocking: default and maximum wait. */
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);
    private static final Duration SESSION_TTL_MAX = Duration.ofHours(24);
    private static final Set<String> STATUSES = Set.of(State.PASSING, State.WARNING, State.CRITICAL);
    private static final Set<String> UNSIMULATED_CHECKS = Set.of("tcp", "udp", "grpc", "h2ping", "args",
            "scriptargs", "dockercontainerid", "aliasservice", "aliasnode", "osservice");

    /** One request, its body read, as it arrived. */
    private record Incoming(HttpExchange exchange, String method, String path, Params params, byte[] body) {
    }

    /** A read's answer: what to send, the index it reports, and the index or hash a waiter watches. */
    private record Answer(int status, byte[] body, long index, long watchIndex, String hash) {
    }

    private final class Waiter {
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

    private final State state;
    private final SimulatorSettings settings;
    private final ScheduledExecutorService timers;
    private final ExecutorService responder;
    /** Blocking queries waiting for a change; guarded by the monitor of {@link #state}. */
    private final List<Waiter> waiters = new ArrayList<>();
    private final AtomicBoolean recheckPending = new AtomicBoolean();

    /** Something to send once the agent answers again, and the request it answers. */
    private record Held(Incoming in, Runnable action) {
    }

    private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean answering = true;
    private volatile boolean down;
    /** What was received or became ready while not answering; guarded by itself. */
    private final List<Held> held = new ArrayList<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile ApiError failure;

    Api(State state, SimulatorSettings settings, ScheduledExecutorService timers, ExecutorService responder) {
        this.state = state;
        this.settings = settings;
        this.timers = timers;
        this.responder = responder;
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

    /** While down, nothing received before is acted on: a stopped agent applies no late writes. */
    void down(boolean isDown) {
        down = isDown;
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
                    new Params(exchange.getRequestURI().getRawQuery()), body);
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

    private void process(Incoming in) {
        if (down) {
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
        // Go's ServeMux answers a path that is not clean with a redirect to the clean one.
        String clean = cleanPath(path);
        if (!clean.equals(path) || path.equals("/v1/kv")) {
            String location = (path.equals("/v1/kv") ? "/v1/kv/" : clean)
                    + (in.params().raw.isEmpty() ? "" : "?" + in.params().raw);
            send(in.exchange(), 301, text("<a href=\"" + location + "\">Moved Permanently</a>.\n"),
                    "text/html; charset=utf-8", Map.of("Location", location));
            return;
        }
        if (path.startsWith("/v1/status/")) {
            status(in, path.substring("/v1/status/".length()));
            return;
        }
        authorize(in);
        String dc = in.params().get("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(state.datacenter)) {
            throw new ApiError(500, "No path to datacenter");
        }
        if (in.params().has("stale") && in.params().has("consistent")) {
            throw new ApiError(400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        if (path.startsWith("/v1/kv/")) {
            kv(in, path.substring("/v1/kv/".length()));
        } else if (path.startsWith("/v1/agent/")) {
            agent(in, path.substring("/v1/agent/".length()));
        } else if (path.startsWith("/v1/catalog/")) {
            catalog(in, path.substring("/v1/catalog/".length()));
        } else if (path.startsWith("/v1/health/")) {
            health(in, path.substring("/v1/health/".length()));
        } else if (path.startsWith("/v1/session/")) {
            session(in, path.substring("/v1/session/".length()));
        } else {
            throw notFound();
        }
    }

    private static ApiError notFound() {
        return new ApiError(404, "Invalid URL path: not a recognized HTTP API endpoint");
    }

    private static void method(Incoming in, String... allowed) {
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

    private void status(Incoming in, String what) {
        method(in, "GET");
        switch (what) {
            case "leader" -> sendJson(in, new JsonPrimitive("127.0.0.1:8300"));
            case "peers" -> sendJson(in, array(List.of("127.0.0.1:8300")));
            default -> throw notFound();
        }
    }

    // ---------------------------------------------------------------- agent

    private void agent(Incoming in, String rest) {
        if (rest.equals("self")) {
            method(in, "GET");
            sendJson(in, obj("Config", obj("Datacenter", state.datacenter, "NodeName", state.node, "NodeID",
                    state.nodeId, "Server", true, "Version", "simulator"), "Member", obj("Name", state.node,
                    "Addr", "127.0.0.1", "Port", 8301, "Status", 1)));
        } else if (rest.equals("services")) {
            method(in, "GET");
            // https://developer.hashicorp.com/consul/api-docs/agent/service#list-services: not blocking.
            JsonObject all = new JsonObject();
            synchronized (state) {
                for (State.Service s : state.services.values()) {
                    if (s.local) {
                        all.add(s.spec.id(), agentService(s));
                    }
                }
            }
            sendJson(in, all);
        } else if (rest.startsWith("service/register")) {
            method(in, "PUT");
            register(in);
        } else if (rest.startsWith("service/deregister/")) {
            method(in, "PUT");
            state.deregister(rest.substring("service/deregister/".length()));
            sendEmpty(in);
        } else if (rest.startsWith("service/maintenance/")) {
            method(in, "PUT");
            maintenance(in, rest.substring("service/maintenance/".length()));
        } else if (rest.startsWith("service/")) {
            method(in, "GET");
            agentServiceRead(in, rest.substring("service/".length()));
        } else if (rest.equals("checks")) {
            method(in, "GET");
            JsonObject all = new JsonObject();
            synchronized (state) {
                for (State.Check c : state.checks.values()) {
                    if (!State.SERF_CHECK.equals(c.id)) { // the servers' node check, not the agent's
                        all.add(c.id, check(c));
                    }
                }
            }
            sendJson(in, all);
        } else if (rest.startsWith("check/update/")) {
            method(in, "PUT");
            JsonObject body = decodeObject(in.body());
            String status = string(body, "Status");
            if (!STATUSES.contains(status)) {
                throw new ApiError(400, "Invalid check status: '" + status + "'");
            }
            state.updateTtl(rest.substring("check/update/".length()), status, string(body, "Output"));
            sendEmpty(in);
        } else if (rest.startsWith("check/pass/") || rest.startsWith("check/warn/") || rest.startsWith("check/fail/")) {
            method(in, "PUT");
            String verb = rest.substring("check/".length(), "check/".length() + 4);
            String status = switch (verb) {
                case "pass" -> State.PASSING;
                case "warn" -> State.WARNING;
                default -> State.CRITICAL;
            };
            String note = in.params().get("note");
            state.updateTtl(rest.substring("check/pass/".length()), status, note == null ? "" : note);
            sendEmpty(in);
        } else {
            throw notFound();
        }
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/agent/service#get-service-configuration:
     * blocks on {@code hash} (the ContentHash of the last answer) rather than on an index.
     */
    private void agentServiceRead(Incoming in, String id) {
        Supplier<Answer> query = () -> {
            State.Service s = state.services.get(id);
            if (s == null || !s.local) {
                return new Answer(404, text("unknown service ID: " + id), 0, 0, "");
            }
            JsonObject body = agentService(s);
            String hash = contentHash(GSON.toJson(body));
            body.addProperty("ContentHash", hash);
            return new Answer(200, json(body), 0, 0, hash);
        };
        String hash = in.params().get("hash");
        if (hash == null || hash.isEmpty()) {
            Answer answer;
            synchronized (state) {
                answer = query.get();
            }
            sendAnswer(in, answer, false);
            return;
        }
        block(in, query, 0, hash);
    }

    private static String contentHash(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** https://developer.hashicorp.com/consul/api-docs/agent/service#register-service */
    private void register(Incoming in) {
        JsonObject body = decodeObject(in.body());
        String name = string(body, "Name");
        if (name.isEmpty()) {
            throw new ApiError(400, "Missing service name");
        }
        String id = string(body, "ID").isEmpty() ? name : string(body, "ID");
        JsonObject weights = field(body, "Weights") instanceof JsonObject w ? w : new JsonObject();
        State.ServiceSpec service = new State.ServiceSpec(id, name, strings(field(body, "Tags")),
                string(body, "Address"), (int) number(body, "Port"), stringMap(field(body, "Meta")),
                bool(body, "EnableTagOverride"), weights.size() == 0 ? 1 : (int) number(weights, "Passing"),
                weights.size() == 0 ? 1 : (int) number(weights, "Warning"));
        // agent/structs: Check first, then Checks; IDs get ":n" (1-based) only when there are several.
        List<JsonObject> definitions = new ArrayList<>();
        if (field(body, "Check") instanceof JsonObject check && check.size() > 0) {
            definitions.add(check);
        }
        if (field(body, "Checks") instanceof JsonArray checks) {
            for (JsonElement check : checks) {
                if (check instanceof JsonObject c) {
                    definitions.add(c);
                }
            }
        }
        List<State.CheckSpec> specs = new ArrayList<>();
        for (int i = 0; i < definitions.size(); i++) {
            String defaultId = "service:" + id + (definitions.size() > 1 ? ":" + (i + 1) : "");
            specs.add(checkSpec(definitions.get(i), defaultId, name));
        }
        state.register(service, specs, in.params().flag("replace-existing-checks",
                "Invalid value for ?replace-existing-checks"));
        sendEmpty(in);
    }

    /** https://developer.hashicorp.com/consul/api-docs/agent/check#register-check (the fields we simulate) */
    private static State.CheckSpec checkSpec(JsonObject c, String defaultId, String serviceName) {
        for (String key : c.keySet()) {
            String normal = key.replace("_", "").toLowerCase(Locale.ROOT);
            if (UNSIMULATED_CHECKS.contains(normal) && !isEmpty(c.get(key))) {
                throw new ApiError(400, "Invalid check: the simulator runs HTTP and TTL checks only, not " + key);
            }
        }
        String status = string(c, "Status").isEmpty() ? State.CRITICAL : string(c, "Status");
        if (!STATUSES.contains(status)) {
            throw new ApiError(400, "Status for checks must 'passing', 'warning', 'critical'");
        }
        String http = string(c, "HTTP");
        Duration interval = duration(c, "Interval");
        Duration ttl = duration(c, "TTL");
        boolean hasInterval = interval != null && !interval.isZero() && !interval.isNegative();
        boolean hasTtl = ttl != null && !ttl.isZero() && !ttl.isNegative();
        if (hasInterval && hasTtl) {
            throw new ApiError(400, "Invalid check: Interval and TTL cannot both be specified");
        }
        if (!http.isEmpty() && !hasInterval) {
            throw new ApiError(400, "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or gRPC checks");
        }
        if (http.isEmpty() && !hasTtl) {
            throw new ApiError(400, "Invalid check: TTL must be > 0 for TTL checks");
        }
        Duration timeout = duration(c, "Timeout");
        Map<String, List<String>> header = new LinkedHashMap<>();
        if (field(c, "Header") instanceof JsonObject h) {
            h.entrySet().forEach(e -> header.put(e.getKey(), strings(e.getValue())));
        }
        String id = string(c, "CheckID").isEmpty() ? string(c, "ID") : string(c, "CheckID");
        String name = string(c, "Name");
        return new State.CheckSpec(id.isEmpty() ? defaultId : id,
                name.isEmpty() ? "Service '" + serviceName + "' check" : name, string(c, "Notes"), status,
                http.isEmpty() ? null : http, string(c, "Method").isEmpty() ? "GET" : string(c, "Method"), header,
                string(c, "Body"), bool(c, "TLSSkipVerify"), hasInterval ? interval : null,
                probeTimeout(timeout, hasInterval ? interval : null), hasTtl ? ttl : null,
                duration(c, "DeregisterCriticalServiceAfter"));
    }

    /**
     * https://developer.hashicorp.com/consul/docs/services/usage/checks#http-checks: the timeout
     * defaults to 10s, or to the interval when that is shorter (agent/checks/check.go).
     */
    private static Duration probeTimeout(Duration timeout, Duration interval) {
        if (timeout != null && !timeout.isZero() && !timeout.isNegative()) {
            return timeout;
        }
        Duration fallback = Duration.ofSeconds(10);
        return interval != null && interval.compareTo(fallback) < 0 ? interval : fallback;
    }

    /** https://developer.hashicorp.com/consul/api-docs/agent/service#enable-maintenance-mode */
    private void maintenance(Incoming in, String id) {
        if (id.isEmpty()) {
            throw new ApiError(400, "Missing service ID");
        }
        String raw = in.params().get("enable");
        if (raw == null || raw.isEmpty()) {
            throw new ApiError(400, "Missing value for enable");
        }
        boolean enable = Params.parseBool(raw)
                .orElseThrow(() -> new ApiError(400, "Invalid value for enable: \"" + raw + "\""));
        String reason = in.params().get("reason");
        state.maintenance(id, enable, reason == null ? "" : reason);
        sendEmpty(in);
    }

    // ---------------------------------------------------------------- catalog and health

    /** https://developer.hashicorp.com/consul/api-docs/catalog */
    private void catalog(Incoming in, String rest) {
        method(in, "GET");
        if (rest.equals("services")) {
            blockingRead(in, () -> {
                Map<String, Set<String>> tags = new LinkedHashMap<>();
                for (State.Service s : state.services.values()) {
                    tags.computeIfAbsent(s.spec.name(), n -> new LinkedHashSet<>()).addAll(s.spec.tags());
                }
                JsonObject body = new JsonObject();
                tags.forEach((name, t) -> body.add(name, array(List.copyOf(t))));
                long index = Math.max(state.servicesIndex, 1);
                return new Answer(200, json(body), index, index, "");
            });
        } else if (rest.startsWith("service/")) {
            String name = rest.substring("service/".length());
            blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                for (State.Service s : instances(name, in.params().all("tag"))) {
                    body.add(catalogService(s));
                }
                return new Answer(200, json(body), state.serviceReadIndex(name), state.serviceIndex(name), "");
            });
        } else if (rest.equals("nodes")) {
            blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                body.add(node());
                long index = Math.max(state.checksIndex, 1);
                return new Answer(200, json(body), index, index, "");
            });
        } else {
            throw notFound();
        }
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service:
     * each instance with its node and all its checks, node checks included; {@code ?passing} keeps
     * only instances whose every check passes (a warning does not).
     */
    private void health(Incoming in, String rest) {
        method(in, "GET");
        if (rest.startsWith("service/")) {
            String name = rest.substring("service/".length());
            boolean passing = in.params().flag("passing", "Invalid value for ?passing");
            blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                for (State.Service s : instances(name, in.params().all("tag"))) {
                    List<State.Check> checks = state.checksOf(s);
                    if (passing && checks.stream().anyMatch(c -> !State.PASSING.equals(c.status))) {
                        continue;
                    }
                    JsonArray checkArray = new JsonArray();
                    checks.forEach(c -> checkArray.add(check(c)));
                    body.add(obj("Node", node(), "Service", agentService(s), "Checks", checkArray));
                }
                return new Answer(200, json(body), state.serviceReadIndex(name), state.serviceIndex(name), "");
            });
        } else if (rest.startsWith("checks/")) {
            String name = rest.substring("checks/".length());
            blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                for (State.Service s : instances(name, List.of())) {
                    state.checksOf(s).stream().filter(c -> !c.serviceId.isEmpty()).forEach(c -> body.add(check(c)));
                }
                return new Answer(200, json(body), state.serviceReadIndex(name), state.serviceIndex(name), "");
            });
        } else {
            throw notFound();
        }
    }

    private List<State.Service> instances(String name, List<String> tags) {
        List<State.Service> result = new ArrayList<>();
        for (State.Service s : state.services.values()) {
            // Tags are matched regardless of case, as the health endpoint's tag filter does.
            if (s.spec.name().equals(name) && tags.stream().allMatch(
                    tag -> s.spec.tags().stream().anyMatch(tag::equalsIgnoreCase))) {
                result.add(s);
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- KV

    /** https://developer.hashicorp.com/consul/api-docs/kv */
    private void kv(Incoming in, String key) {
        Params p = in.params();
        switch (in.method()) {
            case "GET" -> {
                if (p.has("keys")) {
                    kvKeys(in, key);
                } else if (p.has("recurse")) {
                    blockingRead(in, () -> {
                        List<State.Entry> entries = state.entriesUnder(key);
                        long index = state.prefixIndex(key);
                        return entries.isEmpty() ? new Answer(404, new byte[0], index, index, "")
                                : new Answer(200, json(entriesJson(entries)), index, index, "");
                    });
                } else {
                    if (key.isEmpty()) {
                        throw new ApiError(400, "Missing key name");
                    }
                    boolean raw = p.has("raw");
                    blockingRead(in, () -> {
                        State.Entry entry = state.kv.get(key);
                        long index = state.keyReadIndex(key);
                        long watch = state.keyIndex(key);
                        if (entry == null) {
                            return new Answer(404, new byte[0], index, watch, "");
                        }
                        byte[] body = raw ? (entry.value == null ? new byte[0] : entry.value)
                                : json(entriesJson(List.of(entry)));
                        return new Answer(200, body, index, watch, "");
                    });
                }
            }
            case "PUT" -> kvPut(in, key);
            case "DELETE" -> {
                conflicting(in, "recurse", "cas");
                boolean recurse = p.has("recurse");
                if (key.isEmpty() && !recurse) {
                    throw new ApiError(400, "Missing key name");
                }
                Long cas = p.unsigned("cas", "Invalid cas index");
                sendJson(in, new JsonPrimitive(state.kvDelete(key, recurse, cas)));
            }
            default -> method(in, "GET", "PUT", "DELETE");
        }
    }

    /** Keys under a prefix, folded at the separator when one is given; 404 when none, but {@code []} at the root. */
    private void kvKeys(Incoming in, String prefix) {
        String separator = in.params().get("separator");
        blockingRead(in, () -> {
            Set<String> keys = new TreeSet<>();
            for (State.Entry entry : state.entriesUnder(prefix)) {
                int at = separator == null || separator.isEmpty() ? -1
                        : entry.key.indexOf(separator, prefix.length());
                keys.add(at < 0 ? entry.key : entry.key.substring(0, at + separator.length()));
            }
            long index = state.prefixIndex(prefix);
            if (keys.isEmpty() && !prefix.isEmpty()) {
                return new Answer(404, new byte[0], index, index, "");
            }
            return new Answer(200, json(array(List.copyOf(keys))), index, index, "");
        });
    }

    private void kvPut(Incoming in, String key) {
        conflicting(in, "cas", "acquire", "release");
        if (key.isEmpty()) {
            throw new ApiError(400, "Missing key name");
        }
        if (in.body().length > KV_MAX_VALUE_SIZE) {
            throw new ApiError(413, "Request body(" + in.body().length + " bytes) too large, max size: "
                    + KV_MAX_VALUE_SIZE + " bytes. See "
                    + "https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.");
        }
        Params p = in.params();
        Long flags = p.unsigned("flags", "Invalid flags");
        Long cas = p.unsigned("cas", "Invalid cas index");
        String acquire = p.get("acquire");
        String release = p.get("release");
        if ("".equals(acquire) || "".equals(release)) {
            throw new ApiError(500, "missing session");
        }
        // An empty body stores no value at all: it reads back as "Value": null.
        byte[] value = in.body().length == 0 ? null : in.body();
        sendJson(in, new JsonPrimitive(state.kvPut(key, value, flags == null ? 0 : flags, cas, acquire, release)));
    }

    private static void conflicting(Incoming in, String... flags) {
        int present = 0;
        for (String flag : flags) {
            if (in.params().has(flag)) {
                present++;
            }
        }
        if (present > 1) {
            throw new ApiError(400, "Conflicting flags: " + in.params().raw);
        }
    }

    private static JsonArray entriesJson(List<State.Entry> entries) {
        JsonArray array = new JsonArray();
        for (State.Entry e : entries) {
            JsonObject o = obj("LockIndex", e.lockIndex, "Key", e.key, "Flags", e.flags, "Value",
                    e.value == null ? JsonNull.INSTANCE : new JsonPrimitive(Base64.getEncoder().encodeToString(e.value)));
            if (!e.session.isEmpty()) {
                o.addProperty("Session", e.session);
            }
            o.addProperty("CreateIndex", e.createIndex);
            o.addProperty("ModifyIndex", e.modifyIndex);
            array.add(o);
        }
        return array;
    }

    // ---------------------------------------------------------------- sessions

    /** https://developer.hashicorp.com/consul/api-docs/session */
    private void session(Incoming in, String rest) {
        if (rest.equals("create")) {
            method(in, "PUT");
            sendJson(in, obj("ID", state.createSession(sessionSpec(in))));
        } else if (rest.startsWith("destroy/")) {
            method(in, "PUT");
            state.destroySession(sessionId(rest, "destroy/"));
            sendJson(in, new JsonPrimitive(true));
        } else if (rest.startsWith("renew/")) {
            method(in, "PUT");
            String id = sessionId(rest, "renew/");
            State.Session renewed = state.renew(id)
                    .orElseThrow(() -> new ApiError(404, "Session id '" + id + "' not found"));
            JsonArray body = new JsonArray();
            body.add(sessionJson(renewed));
            sendJson(in, body);
        } else if (rest.startsWith("info/")) {
            method(in, "GET");
            String id = sessionId(rest, "info/");
            sessionsRead(in, s -> s.id.equals(id));
        } else if (rest.startsWith("node/")) {
            method(in, "GET");
            String node = rest.substring("node/".length());
            sessionsRead(in, s -> s.spec.node().equals(node));
        } else if (rest.equals("list")) {
            method(in, "GET");
            sessionsRead(in, s -> true);
        } else {
            throw notFound();
        }
    }

    private static String sessionId(String rest, String prefix) {
        String id = rest.substring(prefix.length());
        if (id.isEmpty()) {
            throw new ApiError(400, "Missing session");
        }
        return id;
    }

    private void sessionsRead(Incoming in, java.util.function.Predicate<State.Session> which) {
        blockingRead(in, () -> {
            JsonArray body = new JsonArray();
            state.sessions.values().stream().filter(which).forEach(s -> body.add(sessionJson(s)));
            long index = Math.max(state.sessionsIndex, 1);
            return new Answer(200, json(body), index, index, "");
        });
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/session#create-session: LockDelay is a
     * duration string, or a number of nanoseconds in which values under 1000 mean seconds; Checks
     * default to serfHealth, and an explicit empty list means none; TTL is 0 or between
     * {@code session_ttl_min} and 24h.
     */
    private State.SessionSpec sessionSpec(Incoming in) {
        JsonObject body = in.body().length == 0 ? new JsonObject() : decodeObject(in.body());
        String node = string(body, "Node").isEmpty() ? state.node : string(body, "Node");
        List<String> nodeChecks = new ArrayList<>();
        List<String> serviceChecks = new ArrayList<>();
        JsonElement legacy = field(body, "Checks");
        JsonElement nodeField = field(body, "NodeChecks");
        JsonElement serviceField = field(body, "ServiceChecks");
        if (legacy == null && nodeField == null && serviceField == null) {
            nodeChecks.add(State.SERF_CHECK);
        }
        synchronized (state) {
            for (String id : strings(legacy)) {
                State.Check check = state.checks.get(id);
                (check != null && !check.serviceId.isEmpty() ? serviceChecks : nodeChecks).add(id);
            }
        }
        nodeChecks.addAll(strings(nodeField));
        if (serviceField instanceof JsonArray array) {
            for (JsonElement e : array) {
                if (e instanceof JsonObject o) {
                    serviceChecks.add(string(o, "ID"));
                }
            }
        }
        Duration lockDelay = DEFAULT_LOCK_DELAY;
        JsonElement delay = field(body, "LockDelay");
        if (delay != null && !delay.isJsonNull()) {
            lockDelay = delay.getAsJsonPrimitive().isNumber() ? Duration.ofNanos(delay.getAsLong())
                    : decodeDuration(delay.getAsString());
            if (lockDelay.toNanos() < 1000) {
                lockDelay = Duration.ofSeconds(lockDelay.toNanos());
            }
        }
        String behavior = string(body, "Behavior").isEmpty() ? "release" : string(body, "Behavior");
        if (!behavior.equals("release") && !behavior.equals("delete")) {
            throw new ApiError(500, "Invalid Behavior setting '" + behavior + "'");
        }
        String ttl = string(body, "TTL");
        Duration ttlDuration = null;
        if (!ttl.isEmpty()) {
            try {
                ttlDuration = GoDurations.parse(ttl);
            } catch (IllegalArgumentException e) {
                throw new ApiError(500, "Session TTL '" + ttl + "' invalid: " + e.getMessage());
            }
            if (ttlDuration.isZero()) {
                ttlDuration = null;
            } else if (ttlDuration.compareTo(settings.sessionTtlMin()) < 0 || ttlDuration.compareTo(SESSION_TTL_MAX) > 0) {
                throw new ApiError(500, "Invalid Session TTL '" + ttlDuration.toNanos() + "', must be between ["
                        + GoDurations.format(settings.sessionTtlMin()) + "=" + GoDurations.format(SESSION_TTL_MAX) + "]");
            }
        }
        return new State.SessionSpec(string(body, "Name"), node, nodeChecks, serviceChecks, lockDelay, behavior,
                ttl, ttlDuration);
    }

    private static JsonObject sessionJson(State.Session s) {
        JsonArray serviceChecks = new JsonArray();
        s.spec.serviceChecks().forEach(id -> serviceChecks.add(obj("ID", id, "Namespace", "")));
        List<String> all = new ArrayList<>(s.spec.nodeChecks());
        all.addAll(s.spec.serviceChecks());
        return obj("ID", s.id, "Name", s.spec.name(), "Node", s.spec.node(), "LockDelay", s.spec.lockDelay().toNanos(),
                "Behavior", s.spec.behavior(), "TTL", s.spec.ttl(), "Checks", array(all),
                "NodeChecks", array(s.spec.nodeChecks()),
                "ServiceChecks", serviceChecks.isEmpty() ? JsonNull.INSTANCE : serviceChecks,
                "CreateIndex", s.createIndex, "ModifyIndex", s.createIndex);
    }

    // ---------------------------------------------------------------- blocking queries

    /**
     * https://developer.hashicorp.com/consul/api-docs/features/blocking: with {@code index} above
     * 0, the answer waits until the watched data changes past that index or {@code wait} passes
     * (5m by default, at most 10m, plus up to wait/16 of jitter); {@code X-Consul-Index} is
     * always at least 1.
     */
    private void blockingRead(Incoming in, Supplier<Answer> query) {
        String rawIndex = in.params().get("index");
        long min = 0;
        if (rawIndex != null && !rawIndex.isEmpty()) {
            min = in.params().unsigned("index", "Invalid index");
        }
        if (min == 0) {
            Answer answer;
            synchronized (state) {
                answer = query.get();
            }
            sendAnswer(in, answer, true);
            return;
        }
        block(in, query, min, null);
    }

    private void block(Incoming in, Supplier<Answer> query, long minIndex, String minHash) {
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
            now = query.get();
            if (!waiter.wakes(now)) {
                waiters.add(waiter);
                waiter.timeout = timers.schedule(() -> expire(waiter), wait.toNanos() + jitter, TimeUnit.NANOSECONDS);
                return;
            }
        }
        sendAnswer(in, now, minHash == null);
    }

    private void expire(Waiter waiter) {
        Answer answer;
        synchronized (state) {
            if (!waiters.remove(waiter)) {
                return;
            }
            answer = waiter.query.get();
        }
        responder.execute(() -> deliver(waiter.in, () -> sendAnswer(waiter.in, answer, waiter.minHash == null)));
    }

    /** Called under the state's monitor after every write: wakes the waiters whose data changed. */
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
                Answer answer;
                try {
                    answer = waiter.query.get();
                } catch (RuntimeException e) {
                    answer = new Answer(500, text(e.toString()), 0, 0, "");
                }
                if (answer.status() == 500 || waiter.wakes(answer)) {
                    it.remove();
                    waiter.timeout.cancel(false);
                    ready.put(waiter, answer);
                }
            }
        }
        ready.forEach((waiter, answer) -> deliver(waiter.in, () -> sendAnswer(waiter.in, answer, waiter.minHash == null)));
    }

    /** Answers every waiting query at once, as a closing agent drops them. */
    void dropWaiters() {
        synchronized (state) {
            waiters.forEach(w -> w.timeout.cancel(false));
            waiters.forEach(w -> w.in.exchange().close());
            waiters.clear();
        }
        synchronized (held) {
            held.forEach(h -> h.in().exchange().close());
            held.clear();
        }
    }

    // ---------------------------------------------------------------- rendering

    private JsonObject node() {
        return obj("ID", state.nodeId, "Node", state.node, "Address", "127.0.0.1", "Datacenter", state.datacenter,
                "TaggedAddresses", obj("lan", "127.0.0.1", "wan", "127.0.0.1"),
                "Meta", obj("consul-network-segment", ""), "CreateIndex", state.nodeIndex, "ModifyIndex", state.nodeIndex);
    }

    private JsonObject agentService(State.Service s) {
        State.ServiceSpec spec = s.spec;
        return obj("ID", spec.id(), "Service", spec.name(), "Tags", array(spec.tags()), "Meta", stringObject(spec.meta()),
                "Port", spec.port(), "Address", spec.address(),
                "Weights", obj("Passing", spec.weightPassing(), "Warning", spec.weightWarning()),
                "EnableTagOverride", spec.enableTagOverride(), "Datacenter", state.datacenter,
                "CreateIndex", s.createIndex, "ModifyIndex", s.modifyIndex);
    }

    private JsonObject catalogService(State.Service s) {
        State.ServiceSpec spec = s.spec;
        return obj("ID", state.nodeId, "Node", state.node, "Address", "127.0.0.1", "Datacenter", state.datacenter,
                "TaggedAddresses", obj("lan", "127.0.0.1", "wan", "127.0.0.1"),
                "NodeMeta", obj("consul-network-segment", ""), "ServiceKind", "", "ServiceID", spec.id(),
                "ServiceName", spec.name(), "ServiceTags", array(spec.tags()), "ServiceAddress", spec.address(),
                "ServiceWeights", obj("Passing", spec.weightPassing(), "Warning", spec.weightWarning()),
                "ServiceMeta", stringObject(spec.meta()), "ServicePort", spec.port(),
                "ServiceEnableTagOverride", spec.enableTagOverride(), "CreateIndex", s.createIndex,
                "ModifyIndex", s.modifyIndex);
    }

    private JsonObject check(State.Check c) {
        State.Service service = state.services.get(c.serviceId);
        State.CheckSpec spec = c.spec;
        return obj("Node", state.node, "CheckID", c.id, "Name", c.name, "Status", c.status, "Notes", c.notes,
                "Output", c.output, "ServiceID", c.serviceId, "ServiceName", service == null ? "" : service.spec.name(),
                "ServiceTags", array(service == null ? List.of() : service.spec.tags()), "Type", c.type,
                "Interval", spec == null || spec.interval() == null ? "" : GoDurations.format(spec.interval()),
                "Timeout", spec == null || spec.interval() == null ? "" : GoDurations.format(spec.timeout()),
                "ExposedPort", 0, "Definition", new JsonObject(), "CreateIndex", c.createIndex,
                "ModifyIndex", c.modifyIndex);
    }

    // ---------------------------------------------------------------- sending

    private void sendAnswer(Incoming in, Answer answer, boolean indexed) {
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

    private void sendJson(Incoming in, JsonElement body) {
        send(in.exchange(), 200, json(body), "application/json", Map.of());
    }

    private void sendEmpty(Incoming in) {
        send(in.exchange(), 200, new byte[0], "application/json", Map.of());
    }

    private void sendText(Incoming in, int status, String message) {
        send(in.exchange(), status, text(message), "text/plain; charset=utf-8", Map.of());
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String type, Map<String, String> headers) {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", type);
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

    private static byte[] text(String message) {
        return message.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(JsonElement body) {
        return GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- parsing

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

    private static JsonObject decodeObject(byte[] body) {
        try {
            JsonElement parsed = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
            if (parsed instanceof JsonObject object) {
                return object;
            }
            throw new ApiError(400, "Request decode failed: expected a JSON object");
        } catch (JsonParseException e) {
            throw new ApiError(400, "Request decode failed: " + e.getMessage());
        }
    }

    /**
     * A field by name as Go's JSON decoding finds it: case-insensitively, and (as Consul's
     * {@code lib.TranslateKeys} does) in snake_case too.
     */
    private static JsonElement field(JsonObject object, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            if (e.getKey().replace("_", "").toLowerCase(Locale.ROOT).equals(wanted)) {
                return e.getValue().isJsonNull() ? null : e.getValue();
            }
        }
        return null;
    }

    private static boolean isEmpty(JsonElement value) {
        return value == null || value.isJsonNull() || (value.isJsonPrimitive() && value.getAsString().isEmpty())
                || (value.isJsonArray() && value.getAsJsonArray().isEmpty());
    }

    private static String string(JsonObject object, String name) {
        JsonElement value = field(object, name);
        if (value == null) {
            return "";
        }
        if (!value.isJsonPrimitive()) {
            throw new ApiError(400, "Request decode failed: " + name + " must be a string");
        }
        return value.getAsString();
    }

    private static long number(JsonObject object, String name) {
        JsonElement value = field(object, name);
        if (value == null) {
            return 0;
        }
        try {
            return value.getAsLong();
        } catch (RuntimeException e) {
            throw new ApiError(400, "Request decode failed: " + name + " must be a number");
        }
    }

    private static boolean bool(JsonObject object, String name) {
        JsonElement value = field(object, name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean() && value.getAsBoolean();
    }

    private static List<String> strings(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return List.of();
        }
        if (value.isJsonPrimitive()) {
            return List.of(value.getAsString());
        }
        List<String> result = new ArrayList<>();
        for (JsonElement e : value.getAsJsonArray()) {
            result.add(e.getAsString());
        }
        return List.copyOf(result);
    }

    private static Map<String, String> stringMap(JsonElement value) {
        Map<String, String> result = new LinkedHashMap<>();
        if (value instanceof JsonObject object) {
            object.entrySet().forEach(e -> result.put(e.getKey(), e.getValue().getAsString()));
        }
        return result;
    }

    /** A duration field: a Go duration string, or a number of nanoseconds. */
    private static Duration duration(JsonObject object, String name) {
        JsonElement value = field(object, name);
        if (value == null) {
            return null;
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
            return Duration.ofNanos(value.getAsLong());
        }
        return decodeDuration(value.getAsString());
    }

    private static Duration decodeDuration(String text) {
        try {
            return GoDurations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "Request decode failed: " + e.getMessage());
        }
    }

    static JsonObject obj(Object... pairs) {
        JsonObject object = new JsonObject();
        for (int i = 0; i < pairs.length; i += 2) {
            object.add((String) pairs[i], element(pairs[i + 1]));
        }
        return object;
    }

    private static JsonElement element(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof JsonElement e) {
            return e;
        }
        if (value instanceof Number n) {
            return new JsonPrimitive(n);
        }
        if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        return new JsonPrimitive(value.toString());
    }

    private static JsonArray array(List<String> values) {
        JsonArray array = new JsonArray();
        values.forEach(array::add);
        return array;
    }

    private static JsonObject stringObject(Map<String, String> map) {
        JsonObject object = new JsonObject();
        map.forEach(object::addProperty);
        return object;
    }
}
