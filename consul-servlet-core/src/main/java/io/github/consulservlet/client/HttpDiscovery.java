package io.github.consulservlet.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.github.consulservlet.Discovery;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;

/** {@link Discovery} on {@code /v1/catalog/services} and {@code /v1/health/service/:name?passing}. */
final class HttpDiscovery implements Discovery {
    private final ClientRuntime runtime;
    private final Scope scope;

    HttpDiscovery(ClientRuntime runtime, Scope scope) {
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
        return runtime.read(Request.get("/v1/catalog/services", null), options);
    }

    private Request healthRequest(String name, String tag, QueryOptions options) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a service name must not be blank");
        }
        Request request = Request.get("/v1/health/service", name).flag("passing");
        if (tag != null) {
            request.param("tag", tag);
        }
        return runtime.read(request, options);
    }

    private static Map<String, List<String>> readServices(Response response) {
        JsonObject all = Json.object(Json.parse(response.requireSuccess()));
        Map<String, List<String>> services = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : all.entrySet()) {
            services.put(entry.getKey(), List.copyOf(Json.strings(entry.getValue())));
        }
        return Collections.unmodifiableMap(services);
    }

    private static List<ServiceInstance> readInstances(Response response) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (JsonObject entry : Json.objects(response.requireSuccess())) {
            JsonObject node = Json.object(entry, "Node");
            JsonObject service = Json.object(entry, "Service");
            String address = Json.string(service, "Address");
            instances.add(new ServiceInstance(Json.string(service, "ID"), Json.string(service, "Service"),
                    address.isEmpty() ? Json.string(node, "Address") : address,
                    (int) Json.number(service, "Port"), Json.strings(service.get("Tags")),
                    Json.stringMap(service.get("Meta")), Json.string(node, "Node"),
                    Json.string(node, "Datacenter")));
        }
        return List.copyOf(instances);
    }
}
