package io.github.consulservlet.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A request's query, decoded as Go's {@code url.ParseQuery} does ({@code +} is a space). */
final class Params {
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    final String raw;

    Params(String rawQuery) {
        raw = rawQuery == null ? "" : rawQuery;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "invalid URL escape in query \"" + s + "\"");
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** The first value, or null when absent. */
    String get(String name) {
        List<String> all = values.get(name);
        return all == null ? null : all.get(0);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** A flag as Consul reads {@code ?passing}: present and empty or true; {@code false} turns it off. */
    boolean flag(String name, String error) {
        String value = get(name);
        if (value == null) {
            return false;
        }
        if (value.isEmpty()) {
            return true;
        }
        return parseBool(value).orElseThrow(() -> new ApiError(400, error));
    }

    /** Go's {@code strconv.ParseBool}. */
    static java.util.Optional<Boolean> parseBool(String value) {
        switch (value) {
            case "1", "t", "T", "TRUE", "true", "True":
                return java.util.Optional.of(true);
            case "0", "f", "F", "FALSE", "false", "False":
                return java.util.Optional.of(false);
            default:
                return java.util.Optional.empty();
        }
    }

    /** An unsigned number, or null when absent; {@code error} when it is not one. */
    Long unsigned(String name, String error) {
        String value = get(name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new ApiError(400, error);
        }
    }
}
