package io.github.consulservlet.internal.client.discovery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import io.github.consulservlet.Discovery;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.Scope;
import io.github.consulservlet.internal.client.json.Json;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;

/** {@link Discovery} on {@code /v1/catalog/services} and {@code /v1/health/service/:name?passing}. */
public final class HttpDiscovery implements Discovery {
    private final ClientRuntime runtime;
    private final Scope scope;

    public HttpDiscovery(ClientRuntime runtime, Scope scope) {
        this.runtime = runtime;
        this.scope = scope;
    }

    @Override
    public Map<String, List<String>> services() {
        return services(QueryOptions.DEFAULT);
    }

    @Override
    public Map<String, List<String>> services(QueryOptions options) {
        return readServices(runtime.call(servicesRequest(options)));
    }

    @Override
    public List<ServiceInstance> service(String name) {
        return service(name, QueryOptions.DEFAULT);
    }

    @Override
    public List<ServiceInstance> service(String name, QueryOptions options) {
        return readInstances(runtime.call(healthRequest(name, null, options)));
    }

    @Override
    public List<ServiceInstance> service(String name, String tag) {
        return service(name, tag, QueryOptions.DEFAULT);
    }

    @Override
    public List<ServiceInstance> service(String name, String tag, QueryOptions options) {
        Objects.requireNonNull(tag, "tag");
        return readInstances(runtime.call(healthRequest(name, tag, options)));
    }

    @Override
    public Watch watch(String name, WatchListener<List<ServiceInstance>> listener) {
        return watch(name, QueryOptions.DEFAULT, listener);
    }

    @Override
    public Watch watch(String name, QueryOptions options, WatchListener<List<ServiceInstance>> listener) {
        return scope.watch(() -> healthRequest(name, null, options), HttpDiscovery::readInstances, listener);
    }

    @Override
    public Watch watchServices(WatchListener<Map<String, List<String>>> listener) {
        return scope.watch(() -> servicesRequest(QueryOptions.DEFAULT), HttpDiscovery::readServices, listener);
    }

    private Request servicesRequest(QueryOptions options) {
        // Consul's /v1/catalog/services takes node-meta and filter, not near
        return runtime.read(discoveryOptions(Request.get("/v1/catalog/services", null), options, false), options);
    }

    /**
     * The discovery options as Consul's catalog and health endpoints name them
     * (developer.hashicorp.com/consul/api-docs/health, .../features/caching): {@code near},
     * {@code node-meta=key:value} once per pair, {@code filter}, and {@code cached} with its
     * limits in {@code Cache-Control}.
     */
    private static Request discoveryOptions(Request request, QueryOptions options, boolean near) {
        if (near) {
            options.near().ifPresent(node -> request.param("near", node));
        }
        options.nodeMeta().forEach((key, value) -> request.param("node-meta", key + ":" + value));
        options.filter().ifPresent(expression -> request.param("filter", expression));
        if (options.cached()) {
            request.flag("cached");
            String limits = java.util.stream.Stream.of(
                            options.maxAge().map(age -> "max-age=" + age.toSeconds()),
                            options.staleIfError().map(stale -> "stale-if-error=" + stale.toSeconds()))
                    .flatMap(java.util.Optional::stream).collect(java.util.stream.Collectors.joining(", "));
            if (!limits.isEmpty()) {
                request.cacheControl(limits);
            }
        }
        return request;
    }

    private Request healthRequest(String name, String tag, QueryOptions options) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a service name must not be blank");
        }
        Request request = Request.get("/v1/health/service", name).flag("passing");
        if (tag != null) {
            request.param("tag", tag);
        }
        return runtime.read(discoveryOptions(request, options, true), options);
    }

    private static Map<String, List<String>> readServices(Response response) {
        JsonObject all = Json.object(response.requireSuccess());
        Map<String, List<String>> services = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : all.entrySet()) {
            services.put(entry.getKey(), List.copyOf(Json.strings(entry.getValue())));
        }
        return Collections.unmodifiableMap(services);
    }

    /** Streamed: the checks, most of a health answer, are skipped rather than built. */
    private static List<ServiceInstance> readInstances(Response response) {
        response.requireSuccess();
        return Json.stream(response, json -> {
            List<ServiceInstance> instances = new ArrayList<>();
            if (json.peek() != JsonToken.BEGIN_ARRAY) { // null: an absent result
                json.skipValue();
                return List.of();
            }
            json.beginArray();
            while (json.hasNext()) {
                if (json.peek() != JsonToken.BEGIN_OBJECT) {
                    throw response.malformed("a JSON array of objects", null);
                }
                Instance instance = readInstance(json);
                try {
                    instances.add(instance.build());
                } catch (IllegalArgumentException e) {
                    response.badEntry("instance '" + instance.id + "' on node '" + instance.node + "'", e);
                }
            }
            json.endArray();
            return List.copyOf(instances);
        });
    }

    /** What one item of a health answer says, read whole before it is checked. */
    private static final class Instance {
        String node = "";
        String nodeAddress = "";
        String datacenter = "";
        String id = "";
        String name = "";
        String address = "";
        String port = "";
        List<String> tags = List.of();
        Map<String, String> meta = Map.of();

        ServiceInstance build() {
            return new ServiceInstance(id, name, address.isEmpty() ? nodeAddress : address, Json.port(port), tags, meta,
                    node, datacenter);
        }
    }

    private static Instance readInstance(JsonReader json) throws IOException {
        Instance i = new Instance();
        json.beginObject();
        while (json.hasNext()) {
            String part = json.nextName();
            if (json.peek() != JsonToken.BEGIN_OBJECT || !(part.equals("Node") || part.equals("Service"))) {
                json.skipValue();
                continue;
            }
            json.beginObject();
            while (json.hasNext()) {
                switch (part + "." + json.nextName()) {
                    case "Node.Node" -> i.node = Json.nextString(json);
                    case "Node.Address" -> i.nodeAddress = Json.nextString(json);
                    case "Node.Datacenter" -> i.datacenter = Json.nextString(json);
                    case "Service.ID" -> i.id = Json.nextString(json);
                    case "Service.Service" -> i.name = Json.nextString(json);
                    case "Service.Address" -> i.address = Json.nextString(json);
                    case "Service.Port" -> i.port = Json.nextString(json);
                    case "Service.Tags" -> i.tags = Json.nextStrings(json);
                    case "Service.Meta" -> i.meta = Json.nextStringMap(json);
                    default -> json.skipValue();
                }
            }
            json.endObject();
        }
        json.endObject();
        return i;
    }
}
