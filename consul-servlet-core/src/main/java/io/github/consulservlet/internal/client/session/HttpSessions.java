package io.github.consulservlet.internal.client.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.SessionBehavior;
import io.github.consulservlet.SessionInfo;
import io.github.consulservlet.SessionOptions;
import io.github.consulservlet.Sessions;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.Scope;
import io.github.consulservlet.internal.client.agent.Agent;
import io.github.consulservlet.internal.client.json.GoDuration;
import io.github.consulservlet.internal.client.json.Json;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;

/**
 * {@link Sessions} on {@code /v1/session/}. LockDelay is sent as a duration string and read back
 * in nanoseconds, as Consul answers it.
 */
public final class HttpSessions implements Sessions {
    private final ClientRuntime runtime;
    private final Scope scope;

    public HttpSessions(ClientRuntime runtime, Scope scope) {
        this.runtime = runtime;
        this.scope = scope;
    }

    @Override
    public String create() {
        return create(SessionOptions.DEFAULT);
    }

    @Override
    public String create(SessionOptions options) {
        JsonObject body = new JsonObject();
        options.lockDelay().ifPresent(delay -> body.addProperty("LockDelay", GoDuration.format(delay)));
        options.name().ifPresent(name -> body.addProperty("Name", name));
        options.node().ifPresent(node -> body.addProperty("Node", node));
        options.checks().ifPresent(checks -> body.add("Checks", Json.array(checks)));
        options.behavior().ifPresent(b -> body.addProperty("Behavior", b.name().toLowerCase(Locale.ROOT)));
        options.ttl().ifPresent(ttl -> body.addProperty("TTL", GoDuration.format(ttl)));
        Request request = runtime.datacenter(Request.put("/v1/session/create", null), options.datacenter().orElse(null));
        Response response = runtime.call(request.json(Json.write(body))).requireSuccess();
        String id = Json.string(Json.object(response), "ID");
        if (id.isEmpty()) {
            throw response.malformed("a session ID", null);
        }
        if (!options.keepAfterClose()) {
            scope.ownSession(id, options.datacenter().orElse(null));
        }
        return id;
    }

    @Override
    public void destroy(String id) {
        destroy(id, null);
    }

    @Override
    public void destroy(String id, String datacenter) {
        runtime.call(runtime.datacenter(Request.put("/v1/session/destroy", Agent.required(id)), datacenter))
                .bool(); // always true: whether the session existed or not
        scope.disownSession(id);
    }

    @Override
    public Optional<SessionInfo> info(String id) {
        return info(id, QueryOptions.DEFAULT);
    }

    @Override
    public Optional<SessionInfo> info(String id, QueryOptions options) {
        Response response = runtime.call(runtime.read(Request.get("/v1/session/info", Agent.required(id)), options));
        if (response.isNotFound()) {
            return Optional.empty();
        }
        return readOne(response);
    }

    @Override
    public List<SessionInfo> node(String node) {
        return node(node, QueryOptions.DEFAULT);
    }

    @Override
    public List<SessionInfo> node(String node, QueryOptions options) {
        return read(runtime.call(runtime.read(Request.get("/v1/session/node", Agent.required(node)), options)));
    }

    @Override
    public List<SessionInfo> list() {
        return list(QueryOptions.DEFAULT);
    }

    @Override
    public List<SessionInfo> list(QueryOptions options) {
        return read(runtime.call(runtime.read(Request.get("/v1/session/list", null), options)));
    }

    @Override
    public Optional<SessionInfo> renew(String id) {
        return renew(id, null);
    }

    @Override
    public Optional<SessionInfo> renew(String id, String datacenter) {
        Response response = runtime.call(runtime.datacenter(Request.put("/v1/session/renew", Agent.required(id)), datacenter));
        if (response.isNotFound()) {
            scope.disownSession(id); // expired or invalidated: nothing left to destroy
            return Optional.empty();
        }
        return Optional.of(readOne(response).orElseThrow(() -> response.malformed("the renewed session", null)));
    }

    /** The first session of an answer: one that cannot be read is an error, whatever the strictness. */
    private static Optional<SessionInfo> readOne(Response response) {
        List<JsonObject> sessions = Json.objects(response.requireSuccess());
        if (sessions.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(session(sessions.get(0)));
        } catch (IllegalArgumentException e) {
            throw new io.github.consulservlet.ConsulResponseException(response.status, response.request
                    + " answered HTTP " + response.status + " with an unreadable entry, session '"
                    + Json.string(sessions.get(0), "ID") + "': " + e.getMessage(), e);
        }
    }

    private static List<SessionInfo> read(Response response) {
        List<SessionInfo> sessions = new ArrayList<>();
        for (JsonObject s : Json.objects(response.requireSuccess())) {
            try {
                sessions.add(session(s));
            } catch (IllegalArgumentException e) {
                response.badEntry("session '" + Json.string(s, "ID") + "'", e);
            }
        }
        return List.copyOf(sessions);
    }

    /** @throws IllegalArgumentException when its TTL is not a duration */
    private static SessionInfo session(JsonObject s) {
        List<String> checks = new ArrayList<>(Json.strings(s.get("Checks")));
        if (checks.isEmpty()) {
            checks.addAll(Json.strings(s.get("NodeChecks")));
            JsonElement serviceChecks = s.get("ServiceChecks");
            if (serviceChecks != null && serviceChecks.isJsonArray()) {
                for (JsonElement check : serviceChecks.getAsJsonArray()) {
                    checks.add(Json.string(Json.object(check), "ID"));
                }
            }
        }
        String ttl = Json.string(s, "TTL");
        return new SessionInfo(Json.string(s, "ID"), Json.string(s, "Name"), Json.string(s, "Node"),
                checks, Duration.ofNanos(Json.number(s, "LockDelay")),
                "delete".equals(Json.string(s, "Behavior")) ? SessionBehavior.DELETE : SessionBehavior.RELEASE,
                ttl.isEmpty() ? Optional.empty() : Optional.of(GoDuration.parse(ttl)), // echoed as given: "30s"
                Json.number(s, "CreateIndex"), Json.number(s, "ModifyIndex"));
    }
}
