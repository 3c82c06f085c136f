package io.github.consulservlet.simulator;

import static io.github.consulservlet.simulator.Bodies.decodeDuration;
import static io.github.consulservlet.simulator.Bodies.decodeObject;
import static io.github.consulservlet.simulator.Bodies.field;
import static io.github.consulservlet.simulator.Bodies.json;
import static io.github.consulservlet.simulator.Bodies.obj;
import static io.github.consulservlet.simulator.Bodies.string;
import static io.github.consulservlet.simulator.Bodies.strings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.github.consulservlet.simulator.Api.Answer;
import io.github.consulservlet.simulator.Api.Incoming;

/** {@code /v1/session/} (https://developer.hashicorp.com/consul/api-docs/session). */
final class SessionEndpoints {
    /** https://developer.hashicorp.com/consul/api-docs/session#lockdelay and #ttl: 15s, and TTLs up to 86400s. */
    private static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);
    private static final Duration SESSION_TTL_MAX = Duration.ofHours(24);

    private final Api api;
    private final State state;
    private final Views views;
    private final SimulatorSettings settings;

    SessionEndpoints(Api api, State state, Views views, SimulatorSettings settings) {
        this.api = api;
        this.state = state;
        this.views = views;
        this.settings = settings;
    }

    /** https://developer.hashicorp.com/consul/api-docs/session */
    void handle(Incoming in, String rest) {
        if (rest.equals("create")) {
            Api.method(in, "PUT");
            api.sendJson(in, obj("ID", state.createSession(sessionSpec(in))));
        } else if (rest.startsWith("destroy/")) {
            Api.method(in, "PUT");
            state.destroySession(sessionId(rest, "destroy/"));
            api.sendJson(in, new JsonPrimitive(true));
        } else if (rest.startsWith("renew/")) {
            Api.method(in, "PUT");
            String id = sessionId(rest, "renew/");
            State.Session renewed = state.renew(id)
                    .orElseThrow(() -> new ApiError(404, "Session id '" + id + "' not found"));
            JsonArray body = new JsonArray();
            body.add(views.sessionJson(renewed));
            api.sendJson(in, body);
        } else if (rest.startsWith("info/")) {
            Api.method(in, "GET");
            String id = sessionId(rest, "info/");
            sessionsRead(in, s -> s.id.equals(id));
        } else if (rest.startsWith("node/")) {
            Api.method(in, "GET");
            String node = rest.substring("node/".length());
            sessionsRead(in, s -> s.spec.node().equals(node));
        } else if (rest.equals("list")) {
            Api.method(in, "GET");
            sessionsRead(in, s -> true);
        } else {
            throw Api.notFound();
        }
    }

    private static String sessionId(String rest, String prefix) {
        String id = rest.substring(prefix.length());
        if (id.isEmpty()) {
            throw new ApiError(400, "Missing session");
        }
        return id;
    }

    private void sessionsRead(Incoming in, Predicate<State.Session> which) {
        api.blockingRead(in, () -> {
            JsonArray body = new JsonArray();
            state.sessions.values().stream().filter(which).forEach(s -> body.add(views.sessionJson(s)));
            long index = Math.max(state.sessionsIndex, 1);
            return new Answer(200, json(body), index, index, "");
        });
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/session#create-session: LockDelay is a
     * duration string, or a number of nanoseconds, in which values under 1000 mean seconds; Checks
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
        // The old Checks field: its node checks are moved to NodeChecks; when it names a service
        // check too, it is kept as it was given, and ServiceChecks left as sent (what a real
        // Consul 1.14.11 answers to {"Checks": ["serfHealth", "<service check>"]}).
        List<String> legacyChecks = List.of();
        synchronized (state) {
            for (String id : strings(legacy)) {
                State.Check check = state.checks.get(id);
                if (check != null && !check.serviceId.isEmpty()) {
                    legacyChecks = strings(legacy);
                } else {
                    nodeChecks.add(id);
                }
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
        return new State.SessionSpec(string(body, "Name"), node, nodeChecks, serviceChecks, legacyChecks, lockDelay, behavior,
                ttl, ttlDuration);
    }
}
