package io.github.consulservlet.internal.client.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.github.consulservlet.internal.client.json.Json;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;
import io.github.consulservlet.internal.client.transport.Transport;

/**
 * The local agent's own services and checks: what the registrar uses to register a webapp,
 * report its liveness and take it out. Calls go to the agent (no datacenter, no consistency
 * mode: the agent answers from its own state).
 */
public final class Agent {
    private final Transport transport;
    private final String namespace;
    private final String partition;

    public Agent(Transport transport) {
        this(transport, null, null);
    }

    private Agent(Transport transport, String namespace, String partition) {
        this.transport = transport;
        this.namespace = namespace;
        this.partition = partition;
    }

    /**
     * This agent's calls in a Consul Enterprise namespace and admin partition, each null for the
     * default: sent as the {@code ns} and {@code partition} query parameters, as Consul's HTTP API
     * and its Go client do (https://developer.hashicorp.com/consul/api-docs/agent/service#ns). An
     * open-source agent answers 400 to either ("Namespaces are a Consul Enterprise feature").
     */
    public Agent in(String namespace, String partition) {
        return namespace == null && partition == null && this.namespace == null && this.partition == null ? this
                : new Agent(transport, namespace, partition);
    }

    /** Equal when the calls go through the same transport to the same namespace and partition. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Agent other && transport == other.transport && java.util.Objects.equals(namespace, other.namespace)
                && java.util.Objects.equals(partition, other.partition);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(System.identityHashCode(transport), namespace, partition);
    }

    private Response call(Request request) {
        return transport.call(request.paramIf(namespace != null, "ns", namespace)
                .paramIf(partition != null, "partition", partition));
    }

    /** Registers (or replaces) a service instance and its checks. */
    public void register(ServiceRegistration registration) {
        call(Request.put("/v1/agent/service/register", null)
                .paramIf(registration.replaceExistingChecks(), "replace-existing-checks", "true")
                .json(Json.write(registration.toJson()))).requireEmpty();
    }

    /** Removes a service instance and its checks from the agent. */
    public void deregister(String serviceId) {
        call(Request.put("/v1/agent/service/deregister", required(serviceId))).requireEmpty();
    }

    /** Puts a service instance in maintenance: it is left out of discovery until disabled. */
    public void enableMaintenance(String serviceId, String reason) {
        call(Request.put("/v1/agent/service/maintenance", required(serviceId))
                .param("enable", "true").param("reason", reason)).requireEmpty();
    }

    /** Takes a service instance out of maintenance. */
    public void disableMaintenance(String serviceId) {
        call(Request.put("/v1/agent/service/maintenance", required(serviceId))
                .param("enable", "false")).requireEmpty();
    }

    /** Reports a TTL check as passing, with {@code note} as its output. */
    public void passCheck(String checkId, String note) {
        ttlUpdate("pass", checkId, note);
    }

    /** Reports a TTL check as warning, with {@code note} as its output. */
    public void warnCheck(String checkId, String note) {
        ttlUpdate("warn", checkId, note);
    }

    /** Reports a TTL check as critical, with {@code note} as its output. */
    public void failCheck(String checkId, String note) {
        ttlUpdate("fail", checkId, note);
    }

    /**
     * Sets a TTL check's status and output in one call.
     *
     * @throws io.github.consulservlet.ConsulNotFoundException when the agent does not know the
     *     check (it lost its state): register again
     */
    public void updateCheck(String checkId, CheckStatus status, String output) {
        if (status == CheckStatus.MAINTENANCE) {
            throw new IllegalArgumentException("a check cannot be set to maintenance; use enableMaintenance");
        }
        JsonObject body = new JsonObject();
        body.addProperty("Status", status.wireName());
        body.addProperty("Output", output);
        call(Request.put("/v1/agent/check/update", required(checkId)).json(Json.write(body)))
                .requireEmpty();
    }

    private void ttlUpdate(String verb, String checkId, String note) {
        call(Request.put("/v1/agent/check/" + verb, required(checkId)).param("note", note))
                .requireEmpty();
    }

    /** The service instances registered with this agent, by ID. */
    public Map<String, AgentService> services() {
        Response response = call(Request.get("/v1/agent/services", null)).requireSuccess();
        Map<String, AgentService> services = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : Json.object(response).entrySet()) {
            try {
                services.put(entry.getKey(), service(Json.object(entry.getValue())));
            } catch (IllegalArgumentException e) {
                response.badEntry("service '" + entry.getKey() + "'", e);
            }
        }
        return services;
    }

    /** The service instance with this ID, or empty when the agent does not have it. */
    public Optional<AgentService> service(String serviceId) {
        Response response = call(Request.get("/v1/agent/service", required(serviceId)));
        if (response.isNotFound()) {
            return Optional.empty();
        }
        JsonObject service = Json.object(response.requireSuccess());
        try {
            return Optional.of(service(service));
        } catch (IllegalArgumentException e) {
            throw response.malformed("service '" + serviceId + "' with a valid port", e);
        }
    }

    /** The checks registered with this agent, by ID. */
    public Map<String, AgentCheck> checks() {
        JsonObject all = Json.object(call(Request.get("/v1/agent/checks", null)).requireSuccess());
        Map<String, AgentCheck> checks = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : all.entrySet()) {
            JsonObject c = Json.object(entry.getValue());
            checks.put(entry.getKey(), new AgentCheck(Json.string(c, "CheckID"), Json.string(c, "Name"),
                    CheckStatus.fromWire(Json.string(c, "Status")), Json.string(c, "Output"),
                    Json.string(c, "ServiceID"), Json.string(c, "ServiceName")));
        }
        return checks;
    }

    private static AgentService service(JsonObject s) {
        return new AgentService(Json.string(s, "ID"), Json.string(s, "Service"), Json.strings(s.get("Tags")),
                Json.stringMap(s.get("Meta")), Json.string(s, "Address"), Json.port(s.get("Port")));
    }

    public static String required(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an ID must not be blank");
        }
        return id;
    }
}
