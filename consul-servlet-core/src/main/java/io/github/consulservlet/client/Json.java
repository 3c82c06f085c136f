package io.github.consulservlet.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import io.github.consulservlet.ConsulUnreachableException;

/**
 * Reads Consul's JSON as trees, so fields we do not model are ignored and missing ones read as
 * empty; writes request bodies field by field, so only what was set is sent.
 */
final class Json {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private Json() {
    }

    static String write(JsonElement element) {
        return GSON.toJson(element);
    }

    static JsonElement parse(Response response) {
        try {
            JsonElement element = JsonParser.parseString(new String(response.body, StandardCharsets.UTF_8));
            return element == null ? JsonNull.INSTANCE : element;
        } catch (JsonParseException e) {
            throw new ConsulUnreachableException(response.request + " answered HTTP " + response.status
                    + " with a body that is not JSON", e);
        }
    }

    /** What {@link #stream} reads from an answer's body. */
    @FunctionalInterface
    interface Reading<T> {
        T read(JsonReader json) throws IOException;
    }

    /**
     * Reads an answer's body as it is parsed, without building its tree first: for answers whose
     * larger part is skipped, such as the checks of {@code /v1/health/service}.
     */
    static <T> T stream(Response response, Reading<T> reading) {
        // no body reads as null, as JsonParser reads it for the tree-built answers
        byte[] body = blank(response.body) ? "null".getBytes(StandardCharsets.UTF_8) : response.body;
        try (JsonReader json = new JsonReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
            T read = reading.read(json);
            if (json.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("more after the answer's value");
            }
            return read;
        } catch (IOException | IllegalStateException | JsonParseException | NumberFormatException e) {
            throw new ConsulUnreachableException(response.request + " answered HTTP " + response.status
                    + " with a body that is not JSON", e);
        }
    }

    private static boolean blank(byte[] body) {
        if (body != null) {
            for (byte b : body) {
                if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                    return false;
                }
            }
        }
        return true;
    }

    /** The next value as a string, as {@link #string(JsonObject, String)} reads one: "" unless a primitive. */
    static String nextString(JsonReader json) throws IOException {
        return switch (json.peek()) {
            case STRING, NUMBER -> json.nextString();
            case BOOLEAN -> String.valueOf(json.nextBoolean());
            default -> {
                json.skipValue();
                yield "";
            }
        };
    }

    /** The next value as a number, as {@link #number(JsonObject, String)} reads one: 0 unless a number. */
    static long nextNumber(JsonReader json) throws IOException {
        boolean number = json.peek() == JsonToken.NUMBER;
        String value = nextString(json);
        try {
            return number ? new BigDecimal(value).longValue() : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The next value's string items, as {@link #strings(JsonElement)} reads them. */
    static List<String> nextStrings(JsonReader json) throws IOException {
        List<String> strings = new ArrayList<>();
        if (json.peek() != JsonToken.BEGIN_ARRAY) {
            json.skipValue();
            return strings;
        }
        json.beginArray();
        while (json.hasNext()) {
            JsonToken item = json.peek();
            if (item == JsonToken.STRING || item == JsonToken.NUMBER || item == JsonToken.BOOLEAN) {
                strings.add(nextString(json));
            } else {
                json.skipValue();
            }
        }
        json.endArray();
        return strings;
    }

    /** The next value's entries, as {@link #stringMap(JsonElement)} reads them. */
    static Map<String, String> nextStringMap(JsonReader json) throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        if (json.peek() != JsonToken.BEGIN_OBJECT) {
            json.skipValue();
            return map;
        }
        json.beginObject();
        while (json.hasNext()) {
            map.put(json.nextName(), nextString(json));
        }
        json.endObject();
        return map;
    }

    /** The array of an answer; {@code null} (an absent result) reads as empty. */
    static List<JsonObject> objects(Response response) {
        JsonElement element = parse(response);
        List<JsonObject> objects = new ArrayList<>();
        if (element.isJsonArray()) {
            for (JsonElement item : element.getAsJsonArray()) {
                if (item.isJsonObject()) {
                    objects.add(item.getAsJsonObject());
                }
            }
        }
        return objects;
    }

    static JsonObject object(JsonElement element) {
        return element != null && element.isJsonObject() ? element.getAsJsonObject() : new JsonObject();
    }

    static JsonObject object(JsonObject parent, String name) {
        return object(parent.get(name));
    }

    static String string(JsonObject object, String name) {
        JsonElement value = object.get(name);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
    }

    static long number(JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null || !value.isJsonPrimitive()) {
            return 0;
        }
        try {
            return value.getAsLong();
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** An unsigned 64-bit number (Go's {@code uint64}) in the bits of a long: 0 unless one. */
    static long unsignedNumber(JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null || !value.isJsonPrimitive()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(value.getAsString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static List<String> strings(JsonElement element) {
        List<String> strings = new ArrayList<>();
        if (element != null && element.isJsonArray()) {
            for (JsonElement item : element.getAsJsonArray()) {
                if (item.isJsonPrimitive()) {
                    strings.add(item.getAsString());
                }
            }
        }
        return strings;
    }

    static Map<String, String> stringMap(JsonElement element) {
        Map<String, String> map = new LinkedHashMap<>();
        if (element != null && element.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
                map.put(entry.getKey(), entry.getValue().isJsonPrimitive() ? entry.getValue().getAsString() : "");
            }
        }
        return map;
    }

    static JsonArray array(List<String> strings) {
        JsonArray array = new JsonArray();
        strings.forEach(array::add);
        return array;
    }

    static JsonObject object(Map<String, String> map) {
        JsonObject object = new JsonObject();
        map.forEach(object::addProperty);
        return object;
    }
}
