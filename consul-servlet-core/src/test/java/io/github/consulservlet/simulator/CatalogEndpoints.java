package io.github.consulservlet.simulator;

import static io.github.consulservlet.simulator.Bodies.array;
import static io.github.consulservlet.simulator.Bodies.json;
import static io.github.consulservlet.simulator.Bodies.obj;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.github.consulservlet.simulator.Api.Answer;
import io.github.consulservlet.simulator.Api.Incoming;

/**
 * {@code /v1/catalog/} and {@code /v1/health/}: what the one-node datacenter's catalog holds
 * (https://developer.hashicorp.com/consul/api-docs/catalog,
 * https://developer.hashicorp.com/consul/api-docs/health).
 */
final class CatalogEndpoints {
    private final Api api;
    private final State state;
    private final Views views;

    CatalogEndpoints(Api api, State state, Views views) {
        this.api = api;
        this.state = state;
        this.views = views;
    }

    /** https://developer.hashicorp.com/consul/api-docs/catalog */
    void catalog(Incoming in, String rest) {
        Api.method(in, "GET");
        if (rest.equals("services")) {
            api.blockingRead(in, () -> {
                Map<String, Set<String>> tags = new LinkedHashMap<>();
                String filter = in.params().get("filter");
                boolean onNode = nodeHasMeta(in.params().all("node-meta"));
                for (State.Service s : state.services.values()) {
                    // the catalog filters its ServiceNode entries (api-docs/catalog#filtering-1)
                    if (!onNode || !Filter.matches(filter, views.catalogService(s))) {
                        continue;
                    }
                    tags.computeIfAbsent(s.spec.name(), n -> new LinkedHashSet<>()).addAll(s.spec.tags());
                }
                JsonObject body = new JsonObject();
                tags.forEach((name, t) -> body.add(name, array(List.copyOf(t))));
                long index = Math.max(state.servicesIndex, 1);
                return new Answer(200, json(body), index, index, "");
            });
        } else if (rest.startsWith("service/")) {
            String name = rest.substring("service/".length());
            api.blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                for (State.Service s : instances(name, in.params().all("tag"))) {
                    body.add(views.catalogService(s));
                }
                return new Answer(200, json(body), state.serviceReadIndex(name), state.serviceIndex(name), "");
            });
        } else if (rest.equals("nodes")) {
            api.blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                body.add(views.node());
                long index = state.nodeIndex; // the one node never changes after it joined
                return new Answer(200, json(body), index, index, "");
            });
        } else {
            throw Api.notFound();
        }
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service:
     * each instance with its node and all its checks, node checks included; {@code ?passing} keeps
     * only instances whose every check passes (a warning does not).
     */
    void health(Incoming in, String rest) {
        Api.method(in, "GET");
        if (rest.startsWith("service/")) {
            String name = rest.substring("service/".length());
            boolean passing = in.params().flag("passing", "Invalid value for ?passing");
            // ?near sorts by round trip time from a node: one node, one order. ?cached is answered
            // alike (the agent's cache holds what the servers answered).
            String filter = in.params().get("filter");
            boolean onNode = nodeHasMeta(in.params().all("node-meta"));
            api.blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                for (State.Service s : onNode ? instances(name, in.params().all("tag")) : List.<State.Service>of()) {
                    List<State.Check> checks = state.checksOf(s);
                    if (passing && checks.stream().anyMatch(c -> !State.PASSING.equals(c.status))) {
                        continue;
                    }
                    JsonArray checkArray = new JsonArray();
                    checks.forEach(c -> checkArray.add(views.check(c)));
                    JsonObject entry = obj("Node", views.node(), "Service", views.agentService(s), "Checks", checkArray);
                    if (Filter.matches(filter, entry)) {
                        body.add(entry);
                    }
                }
                return new Answer(200, json(body), state.serviceReadIndex(name), state.serviceIndex(name), "");
            });
        } else if (rest.startsWith("checks/")) {
            String name = rest.substring("checks/".length());
            api.blockingRead(in, () -> {
                JsonArray body = new JsonArray();
                for (State.Service s : instances(name, List.of())) {
                    state.checksOf(s).stream().filter(c -> !c.serviceId.isEmpty()).forEach(c -> body.add(views.check(c)));
                }
                return new Answer(200, json(body), state.serviceReadIndex(name), state.serviceIndex(name), "");
            });
        } else {
            throw Api.notFound();
        }
    }

    /**
     * Whether the one node has every {@code key:value} of {@code ?node-meta} (api-docs/health,
     * "node-meta"): a pair without ':' is refused as Consul refuses it.
     */
    private boolean nodeHasMeta(List<String> pairs) {
        JsonObject meta = views.node().getAsJsonObject("Meta");
        for (String pair : pairs) {
            int colon = pair.indexOf(':');
            if (colon < 0) {
                throw new ApiError(400, "Bad request: node-meta must be of the form key:value");
            }
            String key = pair.substring(0, colon);
            if (!meta.has(key) || !meta.get(key).getAsString().equals(pair.substring(colon + 1))) {
                return false;
            }
        }
        return true;
    }

    private List<State.Service> instances(String name, List<String> tags) {
        List<State.Service> result = new ArrayList<>();
        for (State.Service s : state.services.values()) {
            // Tags are matched regardless of case, as Consul's tag filter does for catalog and health
            // (agent/consul/state/catalog.go, serviceTagFilter).
            if (s.spec.name().equals(name) && tags.stream().allMatch(
                    tag -> s.spec.tags().stream().anyMatch(tag::equalsIgnoreCase))) {
                result.add(s);
            }
        }
        return result;
    }
}
