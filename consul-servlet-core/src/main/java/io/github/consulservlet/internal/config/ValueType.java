package io.github.consulservlet.internal.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.consulservlet.internal.client.AgentAddresses;
import io.github.consulservlet.internal.client.json.GoDuration;

/**
 * The type of a setting: how its text becomes its value, and the accepted form its errors and
 * its row in the docs give. Each {@link Setting} names one; {@link SettingParser} asks it to
 * parse and, when it refuses, reports {@code <setting> '<value>' (<origin>) <what>; expected <accepted>}.
 * The types of single values are here; those of comma-separated lists are in {@link ListTypes}.
 *
 * @param <T> the value's Java type
 */
abstract class ValueType<T> {
    /** The text cannot be used; the message says why, worded to follow the setting's name and value. */
    static final class Refused extends Exception {
        Refused(String what) {
            super(what, null, false, false);
        }
    }

    private final Supplier<String> accepted;
    /**
     * The last text read into a value of a class that cannot change, and that value: the webapps
     * of a container mostly share a setting's text (its default, the container's), and reading it
     * again for each of them is most of what resolving their settings costs at start-up.
     */
    private volatile Remembered<T> last;

    private record Remembered<T>(String text, T value) {
    }

    ValueType(Supplier<String> accepted) {
        this.accepted = accepted;
    }

    ValueType(String accepted) {
        this(() -> accepted);
    }

    /** The value of {@code text}, already stripped. */
    abstract T parse(String text) throws Refused;

    /** {@link #parse}, or the value it gave the last time for this text when that value cannot change. */
    final T read(String text) throws Refused {
        Remembered<T> seen = last;
        if (seen != null && seen.text.equals(text)) {
            return seen.value;
        }
        T value = parse(text);
        if (unchangeable(value)) {
            last = new Remembered<>(text, value);
        }
        return value;
    }

    /**
     * Values of these classes cannot change, and none of the types that make them looks beyond
     * the text; a {@link Path} is checked on disk, and lists and maps may be changed by whoever reads them.
     */
    private static boolean unchangeable(Object value) {
        return value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Duration || value instanceof Enum<?> || value instanceof ServiceWeights;
    }

    /** The accepted form, as errors say it after {@code expected}. */
    final String accepted() {
        return accepted.get();
    }

    /** {@code true} or {@code false}, in any case. */
    static ValueType<Boolean> bool() {
        return new ValueType<>("true or false") {
            @Override
            Boolean parse(String text) throws Refused {
                String value = text.toLowerCase(Locale.ROOT);
                if (value.equals("true") || value.equals("false")) {
                    return Boolean.valueOf(value);
                }
                throw new Refused("is not a boolean");
            }
        };
    }

    /** One of the constants of {@code type}, in any case: {@code default, consistent or stale}. */
    static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type) {
        return oneOf(type, "mode");
    }

    /** One of the constants of {@code type}, in any case, a {@code noun} in the error: "not a known status". */
    static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type, String noun) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        String accepted = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new ValueType<>(accepted) {
            @Override
            E parse(String text) throws Refused {
                for (E constant : type.getEnumConstants()) {
                    if (constant.name().equalsIgnoreCase(text)) {
                        return constant;
                    }
                }
                throw new Refused("is not a known " + noun);
            }
        };
    }

    /** Text that matches {@code pattern} whole. */
    static ValueType<String> matching(String pattern, String what, String accepted) {
        Pattern compiled = Pattern.compile(pattern);
        return new ValueType<>(accepted) {
            @Override
            String parse(String text) throws Refused {
                if (!compiled.matcher(text).matches()) {
                    throw new Refused(what);
                }
                return text;
            }
        };
    }

    /** Any text without control characters (a token: an error never shows it). */
    static ValueType<String> token() {
        return new ValueType<>("the ACL token alone (the value is not shown)") {
            @Override
            String parse(String text) throws Refused {
                if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                    throw new Refused("contains a control character");
                }
                return text;
            }
        };
    }

    /** The path of a token file; {@link CombinedSettings} reads it (see {@link TokenFile}). */
    static ValueType<Path> tokenFile() {
        return new ValueType<>("a regular file of at most 4 KiB holding the ACL token alone") {
            @Override
            Path parse(String text) throws Refused {
                try {
                    return Path.of(text);
                } catch (InvalidPathException e) {
                    throw new Refused("cannot be read (" + e.getClass().getSimpleName() + ")");
                }
            }
        };
    }

    /** The path of a PEM file that exists and can be read now. */
    static ValueType<Path> pemFile() {
        return new ValueType<>("the path of a PEM file") {
            @Override
            Path parse(String text) throws Refused {
                try {
                    Path path = Path.of(text);
                    if (Files.isRegularFile(path) && Files.isReadable(path)) {
                        return path;
                    }
                } catch (InvalidPathException e) {
                    // refused below
                }
                throw new Refused("is not a readable file");
            }
        };
    }

    /** The agents string, read by {@link AgentAddresses}, the one parser of it. */
    static ValueType<String> agents() {
        return new ValueType<>(AgentAddresses.ACCEPTED) {
            @Override
            String parse(String text) throws Refused {
                try {
                    AgentAddresses.parse(text);
                    return text;
                } catch (IllegalArgumentException e) {
                    throw new Refused(AgentAddresses.WHAT);
                }
            }
        };
    }

    /** A host name or IP address (IPv6 in brackets or not, given without them), or empty. */
    static ValueType<String> host() {
        Pattern host = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
        return new ValueType<>("a host name or IP address without scheme or port,"
                + " or empty to let Consul advertise the node's address") {
            @Override
            String parse(String text) throws Refused {
                String value = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
                if (!value.isEmpty() && !host.matcher(value).matches()) {
                    throw new Refused("is not a host name or IP address");
                }
                return value;
            }
        };
    }

    /** A TCP port. */
    static ValueType<Integer> port() {
        return new ValueType<>("an integer from 1 to 65535") {
            @Override
            Integer parse(String text) throws Refused {
                try {
                    int port = Integer.parseInt(text);
                    if (port >= 1 && port <= 65_535) {
                        return port;
                    }
                } catch (NumberFormatException e) {
                    // refused below
                }
                throw new Refused("is not a port");
            }
        };
    }

    /** A Go duration ({@code 500ms}, {@code 1m30s}) of at least {@code min}. */
    static ValueType<Duration> duration(Duration min) {
        String shortest = min.isZero() ? "0"
                : min.toSeconds() % 60 == 0 && min.toSeconds() > 0 ? min.toMinutes() + "m" : GoDuration.format(min);
        return new ValueType<>("a duration of " + shortest + " or more: a number with a unit, such as 500ms, 10s or 1m30s") {
            @Override
            Duration parse(String text) throws Refused {
                Duration parsed;
                try {
                    parsed = GoDuration.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new Refused("is not a duration");
                }
                if (parsed.isNegative()) {
                    throw new Refused("is not a duration"); // a duration for Go, never for a setting
                }
                if (parsed.compareTo(min) < 0) {
                    throw new Refused("is too short");
                }
                return parsed;
            }
        };
    }

    /** {@code off}, read as {@link Duration#ZERO}, or a {@link #duration} of at least {@code min}. */
    static ValueType<Duration> durationOrOff(Duration min) {
        ValueType<Duration> duration = duration(min);
        return new ValueType<>(() -> "off or " + duration.accepted()) {
            @Override
            Duration parse(String text) throws Refused {
                return text.equalsIgnoreCase("off") ? Duration.ZERO : duration.parse(text);
            }
        };
    }

    /** A size in bytes, KiB or MiB: {@code 65536}, {@code 512KiB}, {@code 8MiB}; from 1 KiB to 2047 MiB. */
    static ValueType<Long> size() {
        Pattern size = Pattern.compile("([0-9]{1,10})(KiB|MiB)?");
        return new ValueType<>("bytes, KiB or MiB from 1KiB to 2047MiB, such as 8MiB or 524288") {
            @Override
            Long parse(String text) throws Refused {
                Matcher m = size.matcher(text);
                if (m.matches()) {
                    long bytes = Long.parseLong(m.group(1)) * (m.group(2) == null ? 1 : m.group(2).equals("KiB") ? 1024 : 1024 * 1024);
                    if (bytes >= 1024 && bytes <= 2047L << 20) {
                        return bytes;
                    }
                }
                throw new Refused("is not a size");
            }
        };
    }
}
