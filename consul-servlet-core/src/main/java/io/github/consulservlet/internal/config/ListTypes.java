package io.github.consulservlet.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.github.consulservlet.internal.config.ValueType.Refused;

/**
 * The {@link ValueType}s whose text is a comma-separated list: the service's tags, its metadata,
 * and the connection settings a container leaves to its webapps. {@link Setting} declares its
 * settings with them.
 */
final class ListTypes {
    private ListTypes() {
    }

    /** Comma-separated items, stripped, none empty; empty text for none. */
    static ValueType<List<String>> list() {
        return new ValueType<>("tags separated by commas, such as v2,blue") {
            @Override
            List<String> parse(String text) throws Refused {
                if (text.isEmpty()) {
                    return List.of();
                }
                List<String> parsed = new ArrayList<>();
                for (String item : text.split(",", -1)) {
                    String stripped = item.strip();
                    if (stripped.isEmpty()) {
                        throw new Refused("has an empty tag");
                    }
                    parsed.add(stripped);
                }
                return List.copyOf(parsed);
            }
        };
    }

    /** Consul's service metadata: {@code key=value} pairs, comma-separated; empty text for none. */
    static ValueType<Map<String, String>> meta() {
        Pattern key = Pattern.compile("[A-Za-z0-9_-]{1,128}");
        int maxPairs = 64;
        int maxValue = 512;
        return new ValueType<>("key=value pairs separated by commas, such as team=shop,tier=web (keys of up to 128"
                + " letters, digits, '-' and '_', not starting with consul-; values of up to 512 characters;"
                + " at most 64 pairs)") {
            @Override
            Map<String, String> parse(String text) throws Refused {
                Map<String, String> parsed = new LinkedHashMap<>();
                if (text.isEmpty()) {
                    return parsed;
                }
                for (String pair : text.split(",", -1)) {
                    int equals = pair.indexOf('=');
                    String name = equals < 0 ? pair.strip() : pair.substring(0, equals).strip();
                    String value = equals < 0 ? "" : pair.substring(equals + 1).strip();
                    if (equals < 0 || !key.matcher(name).matches() || name.toLowerCase(Locale.ROOT).startsWith("consul-")
                            || value.length() > maxValue || parsed.put(name, value) != null) {
                        throw new Refused("is not a list of metadata");
                    }
                }
                if (parsed.size() > maxPairs) {
                    throw new Refused("has more than 64 pairs");
                }
                return parsed;
            }
        };
    }

    /**
     * Which of the {@link Setting#CONNECTION connection settings} a webapp's context-params may
     * set: {@code all}, {@code none} (or empty), or some of them, comma-separated.
     */
    static ValueType<List<Setting<?>>> connectionSettings() {
        return new ValueType<List<Setting<?>>>(() -> "none, all, or some of "
                + Setting.CONNECTION.stream().map(s -> s.key).collect(Collectors.joining(", ")) + ", comma-separated") {
            @Override
            List<Setting<?>> parse(String text) throws Refused {
                String lower = text.toLowerCase(Locale.ROOT);
                if (lower.equals("all")) {
                    return Setting.CONNECTION;
                }
                if (lower.equals("none") || lower.isEmpty()) {
                    return List.of();
                }
                List<Setting<?>> named = new ArrayList<>();
                for (String name : text.split(",", -1)) {
                    Setting<?> setting = Setting.byKey(name.strip()).filter(Setting.CONNECTION::contains).orElse(null);
                    if (setting == null) {
                        throw new Refused("names '" + name.strip() + "', which is not a setting a container keeps");
                    }
                    named.add(setting);
                }
                return List.copyOf(named);
            }
        };
    }
}
