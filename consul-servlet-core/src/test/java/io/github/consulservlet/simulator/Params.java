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

    /**
     * An unsigned 64-bit number read as Consul's KV endpoint reads {@code flags} and {@code cas}
     * (agent/kvs_endpoint.go, {@code strconv.ParseUint}): null when absent, else a 500 with Go's error.
     */
    Long uint64(String name) {
        String value = get(name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            String why = !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9') ? "value out of range"
                    : "invalid syntax";
            throw new ApiError(500, "strconv.ParseUint: parsing \"" + value + "\": " + why);
        }
    }

    /** The query as Go's {@code url.Values.Encode} writes it: sorted by name, each {@code name=value}, query-escaped. */
    String encode() {
        StringBuilder out = new StringBuilder();
        values.keySet().stream().sorted().forEach(name -> {
            for (String value : values.get(name)) {
                out.append(out.length() == 0 ? "" : "&").append(queryEscape(name)).append('=').append(queryEscape(value));
            }
        });
        return out.toString();
    }

    /** Go's {@code url.QueryEscape}: unreserved characters kept, a space as {@code +}, every other byte as {@code %XX}. */
    private static String queryEscape(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }
}
