package io.github.consulservlet.internal.client.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.google.gson.JsonObject;

import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.KeyValueStore;
import io.github.consulservlet.KvDeleteOptions;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.KvWriteOptions;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.Watch;
import io.github.consulservlet.WatchListener;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.Scope;
import io.github.consulservlet.internal.client.json.Json;
import io.github.consulservlet.internal.client.transport.PercentEncoding;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;

/**
 * {@link KeyValueStore} on {@code /v1/kv/}. A key's leading {@code /} is dropped, as Consul's own
 * clients do; every segment is percent-encoded (see {@link PercentEncoding#path(String)}).
 */
public final class HttpKeyValueStore implements KeyValueStore {
    private static final String KV = "/v1/kv";

    private final ClientRuntime runtime;
    private final Scope scope;

    public HttpKeyValueStore(ClientRuntime runtime, Scope scope) {
        this.runtime = runtime;
        this.scope = scope;
    }

    @Override
    public Optional<KvEntry> get(String key) {
        return get(key, QueryOptions.DEFAULT);
    }

    @Override
    public Optional<KvEntry> get(String key, QueryOptions options) {
        return readOne(runtime.call(runtime.read(Request.get(KV, key(key)), options)));
    }

    @Override
    public Optional<String> getString(String key) {
        return get(key).map(KvEntry::valueAsString);
    }

    @Override
    public List<KvEntry> getAll(String prefix) {
        return getAll(prefix, QueryOptions.DEFAULT);
    }

    @Override
    public List<KvEntry> getAll(String prefix, QueryOptions options) {
        return readAll(runtime.call(runtime.read(Request.get(KV, prefix(prefix)).flag("recurse").bulk(), options)));
    }

    @Override
    public List<String> keys(String prefix) {
        return keys(prefix, QueryOptions.DEFAULT);
    }

    @Override
    public List<String> keys(String prefix, QueryOptions options) {
        Response response = runtime.call(runtime.read(Request.get(KV, prefix(prefix)).flag("keys"), options));
        if (response.isNotFound()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (var item : Json.array(response.requireSuccess())) {
            if (!item.isJsonPrimitive()) {
                throw response.malformed("a JSON array of keys", null);
            }
            keys.add(item.getAsString());
        }
        return List.copyOf(keys);
    }

    @Override
    public boolean set(String key, byte[] value) {
        return set(key, value, KvWriteOptions.DEFAULT);
    }

    @Override
    public boolean set(String key, String value) {
        return set(key, value, KvWriteOptions.DEFAULT);
    }

    @Override
    public boolean set(String key, String value, KvWriteOptions options) {
        return set(key, Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8), options);
    }

    @Override
    public boolean set(String key, byte[] value, KvWriteOptions options) {
        Objects.requireNonNull(value, "value");
        String path = key(key);
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("the value for KV key '" + key + "' is " + value.length
                    + " bytes; Consul accepts at most " + MAX_VALUE_BYTES + " (512 KiB)");
        }
        Request request = Request.put(KV, path)
                .paramIf(options.flags() != 0, "flags", Long.toUnsignedString(options.flags()));
        options.cas().ifPresent(cas -> request.param("cas", Long.toString(cas)));
        options.acquire().ifPresent(session -> request.param("acquire", session));
        options.release().ifPresent(session -> request.param("release", session));
        runtime.datacenter(request, options.datacenter().orElse(null));
        return runtime.call(request.bytes(value)).bool();
    }

    @Override
    public boolean delete(String key) {
        return delete(key, KvDeleteOptions.DEFAULT);
    }

    @Override
    public boolean delete(String key, KvDeleteOptions options) {
        if (options.isRecurse() && prefix(key).isEmpty()) {
            throw new IllegalArgumentException("a recursive delete of the empty prefix would delete every key"
                    + " of the datacenter; name a prefix");
        }
        Request request = Request.of("DELETE", KV, options.isRecurse() ? prefix(key) : key(key));
        request.paramIf(options.isRecurse(), "recurse", null);
        options.cas().ifPresent(cas -> request.param("cas", Long.toString(cas)));
        runtime.datacenter(request, options.datacenter().orElse(null));
        return runtime.call(request).bool();
    }

    @Override
    public Watch watch(String key, WatchListener<Optional<KvEntry>> listener) {
        String path = key(key);
        return scope.watch(() -> runtime.read(Request.get(KV, path), QueryOptions.DEFAULT),
                HttpKeyValueStore::readOne, listener);
    }

    @Override
    public Watch watchPrefix(String prefix, WatchListener<List<KvEntry>> listener) {
        String path = prefix(prefix);
        return scope.watch(() -> runtime.read(Request.get(KV, path).flag("recurse"), QueryOptions.DEFAULT),
                HttpKeyValueStore::readAll, listener);
    }

    private static String key(String key) {
        String trimmed = prefix(key);
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("a KV key must not be empty");
        }
        return trimmed;
    }

    /**
     * The key without its leading {@code /}. Segments of dots are data like any other: they are
     * sent percent-encoded ({@code %2E%2E}), which the agent's HTTP server (Go's ServeMux) does not
     * clean away. An empty segment could only be sent as {@code //}, which it answers with a
     * redirect to another path (never followed): such keys are refused here, with the reason.
     */
    private static String prefix(String prefix) {
        Objects.requireNonNull(prefix, "key");
        String trimmed = prefix.startsWith("/") ? prefix.substring(1) : prefix;
        String[] segments = trimmed.split("/", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            if (segments[i].isEmpty()) {
                throw new IllegalArgumentException("KV key '" + prefix + "' has an empty segment ('//'),"
                        + " which Consul's HTTP API cannot address; use keys whose segments are not empty");
            }
        }
        return trimmed;
    }

    /** The entry of an answer to a key's read; empty for a 404. Locks read keys with it too. */
    public static Optional<KvEntry> readOne(Response response) {
        if (response.isNotFound()) {
            return Optional.empty();
        }
        List<JsonObject> entries = Json.objects(response.requireSuccess());
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(entry(entries.get(0)));
        } catch (IllegalArgumentException e) {
            throw new ConsulResponseException(response.status, response.request + " answered HTTP " + response.status
                    + " with an unreadable entry, key '" + Json.string(entries.get(0), "Key") + "': "
                    + e.getMessage(), e);
        }
    }

    /** The entries of an answer to a recursive read; none for a 404. */
    public static List<KvEntry> readAll(Response response) {
        if (response.isNotFound()) {
            return List.of();
        }
        List<KvEntry> entries = new ArrayList<>();
        for (JsonObject entry : Json.objects(response.requireSuccess())) {
            try {
                entries.add(entry(entry));
            } catch (IllegalArgumentException e) {
                response.badEntry("key '" + Json.string(entry, "Key") + "'", e);
            }
        }
        return List.copyOf(entries);
    }

    /** @throws IllegalArgumentException when the value is not base64, as Consul sends values */
    private static KvEntry entry(JsonObject json) {
        String value = Json.string(json, "Value");
        String session = Json.string(json, "Session");
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its value is not base64 (" + e.getMessage() + ")", e);
        }
        return new KvEntry(Json.string(json, "Key"), decoded,
                Json.unsignedNumber(json, "Flags"), Json.number(json, "CreateIndex"), Json.number(json, "ModifyIndex"),
                Json.number(json, "LockIndex"), session.isEmpty() ? Optional.empty() : Optional.of(session));
    }
}
