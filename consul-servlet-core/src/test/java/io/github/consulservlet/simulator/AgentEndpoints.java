package io.github.consulservlet.simulator;

import static io.github.consulservlet.simulator.Bodies.bool;
import static io.github.consulservlet.simulator.Bodies.decodeObject;
import static io.github.consulservlet.simulator.Bodies.duration;
import static io.github.consulservlet.simulator.Bodies.field;
import static io.github.consulservlet.simulator.Bodies.isEmpty;
import static io.github.consulservlet.simulator.Bodies.json;
import static io.github.consulservlet.simulator.Bodies.number;
import static io.github.consulservlet.simulator.Bodies.obj;
import static io.github.consulservlet.simulator.Bodies.string;
import static io.github.consulservlet.simulator.Bodies.stringMap;
import static io.github.consulservlet.simulator.Bodies.strings;
import static io.github.consulservlet.simulator.Bodies.text;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.github.consulservlet.simulator.Api.Answer;
import io.github.consulservlet.simulator.Api.Incoming;

/**
 * {@code /v1/agent/}: service registration and deregistration, maintenance, TTL check updates,
 * and the agent's own view of its services and checks
 * (https://developer.hashicorp.com/consul/api-docs/agent).
 */
final class AgentEndpoints {
    private static final Set<String> STATUSES = Set.of(State.PASSING, State.WARNING, State.CRITICAL);
    private static final Set<String> UNSIMULATED_CHECKS = Set.of("udp", "grpc", "h2ping", "args",
            "scriptargs", "dockercontainerid", "aliasservice", "aliasnode", "osservice");

    private final Api api;
    private final State state;
    private final Views views;

    AgentEndpoints(Api api, State state, Views views) {
        this.api = api;
        this.state = state;
        this.views = views;
    }

    void handle(Incoming in, String rest) {
        // https://developer.hashicorp.com/consul/api-docs/agent#read-configuration
        if (rest.equals("self")) {
            Api.method(in, "GET");
            api.sendJson(in, obj("Config", obj("Datacenter", state.datacenter, "NodeName", state.node, "NodeID",
                    state.nodeId, "Server", true, "Version", "simulator"), "Member", obj("Name", state.node,
                    "Addr", "127.0.0.1", "Port", 8301, "Status", 1)));
        } else if (rest.equals("services")) {
            Api.method(in, "GET");
            // https://developer.hashicorp.com/consul/api-docs/agent/service#list-services: not blocking.
            JsonObject all = new JsonObject();
            synchronized (state) {
                for (State.Service s : state.services.values()) {
                    if (s.local) {
                        all.add(s.spec.id(), views.agentService(s));
                    }
                }
            }
            api.sendJson(in, all);
        } else if (rest.startsWith("service/register")) {
            Api.method(in, "PUT");
            register(in);
        } else if (rest.startsWith("service/deregister/")) {
            Api.method(in, "PUT");
            state.deregister(rest.substring("service/deregister/".length()));
            api.sendEmpty(in);
        } else if (rest.startsWith("service/maintenance/")) {
            Api.method(in, "PUT");
            maintenance(in, rest.substring("service/maintenance/".length()));
        } else if (rest.startsWith("service/")) {
            Api.method(in, "GET");
            agentServiceRead(in, rest.substring("service/".length()));
        } else if (rest.equals("checks")) {
            // https://developer.hashicorp.com/consul/api-docs/agent/check#list-checks: not blocking.
            Api.method(in, "GET");
            JsonObject all = new JsonObject();
            synchronized (state) {
                for (State.Check c : state.checks.values()) {
                    if (!State.SERF_CHECK.equals(c.id)) { // the servers' node check, not the agent's
                        all.add(c.id, views.check(c));
                    }
                }
            }
            api.sendJson(in, all);
        } else if (rest.startsWith("check/update/")) {
            // https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update
            Api.method(in, "PUT");
            JsonObject body = decodeObject(in.body());
            String status = string(body, "Status");
            if (!STATUSES.contains(status)) {
                throw new ApiError(400, "Invalid check status: '" + status + "'");
            }
            state.updateTtl(rest.substring("check/update/".length()), status, string(body, "Output"));
            api.sendEmpty(in);
        } else if (rest.startsWith("check/pass/") || rest.startsWith("check/warn/") || rest.startsWith("check/fail/")) {
            Api.method(in, "PUT");
            String verb = rest.substring("check/".length(), "check/".length() + 4);
            String status = switch (verb) {
                case "pass" -> State.PASSING;
                case "warn" -> State.WARNING;
                default -> State.CRITICAL;
            };
            String note = in.params().get("note");
            state.updateTtl(rest.substring("check/pass/".length()), status, note == null ? "" : note);
            api.sendEmpty(in);
        } else {
            throw Api.notFound();
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
            JsonObject body = views.agentService(s);
            String hash = contentHash(json(body));
            body.addProperty("ContentHash", hash);
            return new Answer(200, json(body), 0, 0, hash);
        };
        String hash = in.params().get("hash");
        if (hash == null || hash.isEmpty()) {
            api.read(in, query, false);
        } else {
            api.block(in, query, 0, hash);
        }
    }

    private static String contentHash(byte[] json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
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
        Map<String, String> meta = stringMap(field(body, "Meta"));
        // agent/structs validateMetaPair: the agent's endpoint does not allow the reserved prefix
        for (Map.Entry<String, String> pair : meta.entrySet()) {
            if (pair.getKey().startsWith("consul-")) {
                throw new ApiError(400, "Invalid Service Meta: Couldn't load metadata pair ('" + pair.getKey() + "', '"
                        + pair.getValue() + "'): Key prefix 'consul-' is reserved for internal use");
            }
        }
        JsonObject weights = field(body, "Weights") instanceof JsonObject w ? w : new JsonObject();
        State.ServiceSpec service = new State.ServiceSpec(id, name, strings(field(body, "Tags")),
                string(body, "Address"), (int) number(body, "Port"), meta,
                bool(body, "EnableTagOverride"), weights.size() == 0 ? 1 : (int) number(weights, "Passing"),
                weights.size() == 0 ? 1 : (int) number(weights, "Warning"), taggedAddresses(body));
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
        api.sendEmpty(in);
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/agent/service#taggedaddresses: as given, and
     * (agent/agent.go, addServiceInternal) lan_ipv4 and wan_ipv4 (or _ipv6) added from the
     * service's own address and port when it is an IP address and they were not given.
     */
    private static Map<String, Map.Entry<String, Integer>> taggedAddresses(JsonObject body) {
        Map<String, Map.Entry<String, Integer>> tagged = new java.util.TreeMap<>();
        if (field(body, "TaggedAddresses") instanceof JsonObject given) {
            for (Map.Entry<String, JsonElement> e : given.entrySet()) {
                JsonObject at = e.getValue() instanceof JsonObject o ? o : new JsonObject();
                tagged.put(e.getKey(), Map.entry(string(at, "Address"), (int) number(at, "Port")));
            }
        }
        String address = string(body, "Address");
        int port = (int) number(body, "Port");
        boolean ipv4 = address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean ipv6 = !ipv4 && address.contains(":") && address.matches("[0-9A-Fa-f:.]+");
        if (ipv4 || ipv6) {
            String suffix = ipv4 ? "_ipv4" : "_ipv6";
            tagged.putIfAbsent("lan" + suffix, Map.entry(address, port));
            tagged.putIfAbsent("wan" + suffix, Map.entry(address, port));
        }
        return tagged;
    }

    /** https://developer.hashicorp.com/consul/api-docs/agent/check#register-check (the fields we simulate) */
    private static State.CheckSpec checkSpec(JsonObject c, String defaultId, String serviceName) {
        for (String key : c.keySet()) {
            String normal = key.replace("_", "").toLowerCase(Locale.ROOT);
            if (UNSIMULATED_CHECKS.contains(normal) && !isEmpty(c.get(key))) {
                throw new ApiError(400, "Invalid check: the simulator runs HTTP, TCP and TTL checks only, not " + key);
            }
        }
        // https://developer.hashicorp.com/consul/api-docs/agent/check#status: critical unless told otherwise.
        String status = string(c, "Status").isEmpty() ? State.CRITICAL : string(c, "Status");
        if (!STATUSES.contains(status)) {
            throw new ApiError(400, "Status for checks must 'passing', 'warning', 'critical'");
        }
        String http = string(c, "HTTP");
        String tcp = string(c, "TCP");
        Duration interval = duration(c, "Interval");
        Duration ttl = duration(c, "TTL");
        boolean hasInterval = interval != null && !interval.isZero() && !interval.isNegative();
        boolean hasTtl = ttl != null && !ttl.isZero() && !ttl.isNegative();
        if (hasInterval && hasTtl) {
            throw new ApiError(400, "Invalid check: Interval and TTL cannot both be specified");
        }
        if ((!http.isEmpty() || !tcp.isEmpty()) && !hasInterval) {
            throw new ApiError(400, "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or gRPC checks");
        }
        if (http.isEmpty() && tcp.isEmpty() && !hasTtl) {
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
                http.isEmpty() ? null : http, tcp.isEmpty() ? null : tcp, string(c, "Method").isEmpty() ? "GET" : string(c, "Method"), header,
                string(c, "Body"), bool(c, "TLSSkipVerify"), hasInterval ? interval : null,
                probeTimeout(timeout, hasInterval ? interval : null), hasTtl ? ttl : null,
                duration(c, "DeregisterCriticalServiceAfter"), (int) number(c, "SuccessBeforePassing"),
                (int) number(c, "FailuresBeforeCritical"));
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
        api.sendEmpty(in);
    }
}
