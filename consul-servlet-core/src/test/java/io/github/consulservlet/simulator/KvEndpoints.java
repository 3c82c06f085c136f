package io.github.consulservlet.simulator;

import static io.github.consulservlet.simulator.Bodies.array;
import static io.github.consulservlet.simulator.Bodies.json;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.google.gson.JsonPrimitive;

import io.github.consulservlet.simulator.Api.Answer;
import io.github.consulservlet.simulator.Api.Incoming;

/** {@code /v1/kv/} (https://developer.hashicorp.com/consul/api-docs/kv). */
final class KvEndpoints {
    /** https://developer.hashicorp.com/consul/docs/agent/config/config-files#kv_max_value_size */
    static final int KV_MAX_VALUE_SIZE = 512 * 1024;

    private final Api api;
    private final State state;
    private final Views views;

    KvEndpoints(Api api, State state, Views views) {
        this.api = api;
        this.state = state;
        this.views = views;
    }

    /** https://developer.hashicorp.com/consul/api-docs/kv */
    void handle(Incoming in, String key) {
        Params p = in.params();
        switch (in.method()) {
            case "GET" -> {
                if (p.has("keys")) {
                    kvKeys(in, key);
                } else if (p.has("recurse")) {
                    api.blockingRead(in, () -> {
                        List<State.Entry> entries = state.entriesUnder(key);
                        long index = state.prefixIndex(key);
                        return entries.isEmpty() ? new Answer(404, new byte[0], index, index, "")
                                : new Answer(200, json(views.entriesJson(entries)), index, index, "");
                    });
                } else {
                    if (key.isEmpty()) {
                        throw new ApiError(400, "Missing key name");
                    }
                    boolean raw = p.has("raw");
                    api.blockingRead(in, () -> {
                        State.Entry entry = state.kv.get(key);
                        long index = state.keyReadIndex(key);
                        long watch = state.keyIndex(key);
                        if (entry == null) {
                            return new Answer(404, new byte[0], index, watch, "");
                        }
                        byte[] body = raw ? (entry.value == null ? new byte[0] : entry.value)
                                : json(views.entriesJson(List.of(entry)));
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
                Long cas = p.uint64("cas");
                api.sendJson(in, new JsonPrimitive(state.kvDelete(key, recurse, cas)));
            }
            default -> Api.method(in, "GET", "PUT", "DELETE");
        }
    }

    /**
     * https://developer.hashicorp.com/consul/api-docs/kv#keys and #separator: keys are folded at
     * the separator; none under a prefix is a 404, but the whole store answers {@code []}
     * (agent/kvs_endpoint.go).
     */
    private void kvKeys(Incoming in, String prefix) {
        String separator = in.params().get("separator");
        api.blockingRead(in, () -> {
            Set<String> keys = new TreeSet<>(State.KEY_ORDER);
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
            // the agent's words, the old address of the docs included
            throw new ApiError(413, "Request body(" + in.body().length + " bytes) too large, max size: "
                    + KV_MAX_VALUE_SIZE + " bytes. See "
                    + "https://www.consul.io/docs/agent/config/config-files#kv_max_value_size.");
        }
        Params p = in.params();
        Long flags = p.uint64("flags");
        Long cas = p.uint64("cas");
        String acquire = p.get("acquire");
        String release = p.get("release");
        if ("".equals(acquire) || "".equals(release)) {
            throw new ApiError(500, "missing session"); // agent/consul/state/kvs.go, kvsLockTxn
        }
        // An empty body stores no value at all, which reads back as "Value": null
        // (https://developer.hashicorp.com/consul/api-docs/kv#read-key shows Value as base64 or null).
        byte[] value = in.body().length == 0 ? null : in.body();
        api.sendJson(in, new JsonPrimitive(state.kvPut(key, value, flags == null ? 0 : flags, cas, acquire, release)));
    }

    /**
     * At most one of these may be given (agent/kvs_endpoint.go, conflictingFlags); the refusal
     * quotes the query as Go re-encodes it, sorted.
     */
    private static void conflicting(Incoming in, String... flags) {
        int present = 0;
        for (String flag : flags) {
            if (in.params().has(flag)) {
                present++;
            }
        }
        if (present > 1) {
            throw new ApiError(400, "Conflicting flags: " + in.params().encode());
        }
    }
}
