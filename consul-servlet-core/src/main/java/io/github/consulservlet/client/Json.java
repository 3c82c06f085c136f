package io.github.consulservlet.client;

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
