package io.github.consulservlet.internal.client.json;

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

import io.github.consulservlet.internal.client.transport.Response;

/**
 * Reads Consul's JSON as trees, so fields we do not model are ignored and missing ones read as
 * empty; writes request bodies field by field, so only what was set is sent.
 */
public final class Json {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private Json() {
    }

    public static String write(JsonElement element) {
        return GSON.toJson(element);
    }

    /**
     * The JSON of an answer. An empty body is no answer (Consul answers {@code null} or
     * {@code []} for "nothing"), and a body that is not JSON is a proxy's page or a cut answer:
     * both are a {@link io.github.consulservlet.ConsulResponseException}.
     */
    public static JsonElement parse(Response response) {
        if (blank(response.body)) {
            throw response.malformed("JSON", null);
        }
        try {
            JsonElement element = JsonParser.parseString(new String(response.body, StandardCharsets.UTF_8));
            return element == null ? JsonNull.INSTANCE : element;
        } catch (JsonParseException e) {
            throw response.malformed("JSON", e);
        }
    }

    /** The object of an answer; {@code null} (an absent result) reads as empty, another value is an error. */
    public static JsonObject object(Response response) {
        JsonElement element = parse(response);
        if (element.isJsonNull()) {
            return new JsonObject();
        }
        if (!element.isJsonObject()) {
            throw response.malformed("a JSON object", null);
        }
        return element.getAsJsonObject();
    }

    /** The array of an answer; {@code null} (an absent result) reads as empty, another value is an error. */
    public static JsonArray array(Response response) {
        JsonElement element = parse(response);
        if (element.isJsonNull()) {
            return new JsonArray();
        }
        if (!element.isJsonArray()) {
            throw response.malformed("a JSON array", null);
        }
        return element.getAsJsonArray();
    }

    /** What {@link #stream} reads from an answer's body. */
    @FunctionalInterface
    public interface Reading<T> {
        T read(JsonReader json) throws IOException;
    }

    /**
     * Reads an answer's body as it is parsed, without building its tree first: for answers whose
     * larger part is skipped, such as the checks of {@code /v1/health/service}.
     */
    public static <T> T stream(Response response, Reading<T> reading) {
        if (blank(response.body)) {
            throw response.malformed("JSON", null);
        }
        try (JsonReader json = new JsonReader(new InputStreamReader(new ByteArrayInputStream(response.body),
                StandardCharsets.UTF_8))) {
            T read = reading.read(json);
            if (json.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("more after the answer's value");
            }
            return read;
        } catch (IOException | IllegalStateException | JsonParseException | NumberFormatException e) {
            throw response.malformed("JSON of its form", e);
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
    public static String nextString(JsonReader json) throws IOException {
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
    public static List<String> nextStrings(JsonReader json) throws IOException {
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
    public static Map<String, String> nextStringMap(JsonReader json) throws IOException {
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

    /** The objects of an answer's array; {@code null} reads as none; an item that is no object is an error. */
    public static List<JsonObject> objects(Response response) {
        List<JsonObject> objects = new ArrayList<>();
        for (JsonElement item : array(response)) {
            if (!item.isJsonObject()) {
                throw response.malformed("a JSON array of objects", null);
            }
            objects.add(item.getAsJsonObject());
        }
        return objects;
    }

    public static JsonObject object(JsonElement element) {
        return element != null && element.isJsonObject() ? element.getAsJsonObject() : new JsonObject();
    }

    public static JsonObject object(JsonObject parent, String name) {
        return object(parent.get(name));
    }

    public static String string(JsonObject object, String name) {
        JsonElement value = object.get(name);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
    }

    public static long number(JsonObject object, String name) {
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

    /** A TCP port, 0 when absent; anything but a whole number from 0 to 65535 is an {@link IllegalArgumentException}. */
    public static int port(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return 0;
        }
        return port(value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber() ? value.getAsString()
                : value.toString());
    }

    /** A port as {@link #nextString} reads it: "" is 0, else as {@link #port(JsonElement)}. */
    public static int port(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        long port;
        try {
            port = new BigDecimal(text).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + text + " is not a port (0 to 65535)");
        }
        return (int) port;
    }

    /** An unsigned 64-bit number (Go's {@code uint64}) in the bits of a long: 0 unless one. */
    public static long unsignedNumber(JsonObject object, String name) {
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

    public static List<String> strings(JsonElement element) {
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

    public static Map<String, String> stringMap(JsonElement element) {
        Map<String, String> map = new LinkedHashMap<>();
        if (element != null && element.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
                map.put(entry.getKey(), entry.getValue().isJsonPrimitive() ? entry.getValue().getAsString() : "");
            }
        }
        return map;
    }

    public static JsonArray array(List<String> strings) {
        JsonArray array = new JsonArray();
        strings.forEach(array::add);
        return array;
    }

    public static JsonObject object(Map<String, String> map) {
        JsonObject object = new JsonObject();
        map.forEach(object::addProperty);
        return object;
    }
}
