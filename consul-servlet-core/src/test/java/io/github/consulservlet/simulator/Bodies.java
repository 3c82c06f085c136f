package io.github.consulservlet.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * Reading request bodies and writing answers as Consul does: JSON fields found as Go's decoder
 * finds them, durations as Go strings or nanoseconds, and compact JSON without HTML escaping.
 */
final class Bodies {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private Bodies() {
    }

    static byte[] text(String message) {
        return message.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] json(JsonElement body) {
        return GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
    }

    static JsonObject decodeObject(byte[] body) {
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
    static JsonElement field(JsonObject object, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            if (e.getKey().replace("_", "").toLowerCase(Locale.ROOT).equals(wanted)) {
                return e.getValue().isJsonNull() ? null : e.getValue();
            }
        }
        return null;
    }

    static boolean isEmpty(JsonElement value) {
        return value == null || value.isJsonNull() || (value.isJsonPrimitive() && value.getAsString().isEmpty())
                || (value.isJsonArray() && value.getAsJsonArray().isEmpty());
    }

    static String string(JsonObject object, String name) {
        JsonElement value = field(object, name);
        if (value == null) {
            return "";
        }
        if (!value.isJsonPrimitive()) {
            throw new ApiError(400, "Request decode failed: " + name + " must be a string");
        }
        return value.getAsString();
    }

    static long number(JsonObject object, String name) {
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

    static boolean bool(JsonObject object, String name) {
        JsonElement value = field(object, name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean() && value.getAsBoolean();
    }

    static List<String> strings(JsonElement value) {
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

    static Map<String, String> stringMap(JsonElement value) {
        Map<String, String> result = new LinkedHashMap<>();
        if (value instanceof JsonObject object) {
            object.entrySet().forEach(e -> result.put(e.getKey(), e.getValue().getAsString()));
        }
        return result;
    }

    /** A duration field: a Go duration string, or a number of nanoseconds. */
    static Duration duration(JsonObject object, String name) {
        JsonElement value = field(object, name);
        if (value == null) {
            return null;
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
            return Duration.ofNanos(value.getAsLong());
        }
        return decodeDuration(value.getAsString());
    }

    static Duration decodeDuration(String text) {
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

    static JsonElement element(Object value) {
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

    static JsonArray array(List<String> values) {
        JsonArray array = new JsonArray();
        values.forEach(array::add);
        return array;
    }

    static JsonObject stringObject(Map<String, String> map) {
        JsonObject object = new JsonObject();
        map.forEach(object::addProperty);
        return object;
    }
}
