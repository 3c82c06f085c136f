package io.github.consulservlet.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.consulservlet.internal.config.ValueType.Refused;

/**
 * The {@link ValueType}s of the registration options ({@link RegistrationOptions}): weights,
 * tagged addresses, check headers and methods, counts, notes and Enterprise names. Each accepts
 * what Consul's agent accepts for the field it fills, so that a value the agent would refuse is
 * refused at deploy, naming the setting.
 */
final class RegistrationTypes {
    /** The tags Consul knows (agent/structs: TaggedAddressLAN... and their _ipv4/_ipv6 forms). */
    private static final Set<String> ADDRESS_TAGS = Set.of("lan", "wan", "lan_ipv4", "lan_ipv6", "wan_ipv4", "wan_ipv6");
    private static final Pattern HOST_PORT = Pattern.compile("\\[([0-9A-Fa-f:.]+)]|([^:\\[\\]]+)|\\[([0-9A-Fa-f:.]+)]:([0-9]{1,5})"
            + "|([^:\\[\\]]+):([0-9]{1,5})|([0-9A-Fa-f]*:[0-9A-Fa-f:.]*)");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private RegistrationTypes() {
    }

    /** {@code passing=10,warning=1}; a weight not given is Consul's default, 1. */
    static ValueType<ServiceWeights> weights() {
        return new ValueType<>("passing=<1 to 65535>,warning=<0 to 65535>, either or both, such as passing=10,warning=1") {
            @Override
            ServiceWeights parse(String text) throws Refused {
                Map<String, String> pairs = pairs(text, "is not a list of weights");
                if (pairs.isEmpty() || !Set.of("passing", "warning").containsAll(pairs.keySet())) {
                    throw new Refused("is not a list of weights");
                }
                int passing = pairs.containsKey("passing") ? number(pairs.get("passing"), 1, 65_535, "has a passing weight out of range") : 1;
                int warning = pairs.containsKey("warning") ? number(pairs.get("warning"), 0, 65_535, "has a warning weight out of range") : 1;
                return new ServiceWeights(passing, warning);
            }
        };
    }

    /** {@code lan=10.0.0.5:8080,wan=203.0.113.7}: tag=address[:port], IPv6 in brackets; empty for none. */
    static ValueType<Map<String, TaggedAddress>> taggedAddresses() {
        return new ValueType<>("tag=address[:port] pairs separated by commas, the tag one of lan, wan, lan_ipv4, lan_ipv6,"
                + " wan_ipv4 or wan_ipv6, IPv6 addresses in brackets when a port follows, such as"
                + " lan=10.0.0.5:8080,wan=203.0.113.7:80 (no port: the service's)") {
            @Override
            Map<String, TaggedAddress> parse(String text) throws Refused {
                Map<String, TaggedAddress> parsed = new LinkedHashMap<>();
                for (Map.Entry<String, String> pair : pairs(text, "is not a list of tagged addresses").entrySet()) {
                    if (!ADDRESS_TAGS.contains(pair.getKey())) {
                        throw new Refused("has the unknown tag '" + pair.getKey() + "'");
                    }
                    parsed.put(pair.getKey(), address(pair.getValue()));
                }
                return parsed;
            }
        };
    }

    private static TaggedAddress address(String text) throws Refused {
        Matcher m = HOST_PORT.matcher(text);
        if (!m.matches()) {
            throw new Refused("has an address that is not host[:port]");
        }
        String host = first(m, 1, 2, 3, 5, 7);
        String port = first(m, 4, 6);
        if (!HOST.matcher(host).matches()) {
            throw new Refused("has an address that is not a host name or IP address");
        }
        return new TaggedAddress(host, port == null ? 0 : number(port, 1, 65_535, "has a port out of range"));
    }

    private static String first(Matcher m, int... groups) {
        for (int group : groups) {
            if (m.group(group) != null) {
                return m.group(group);
            }
        }
        return null;
    }

    /**
     * {@code Authorization=Bearer x,X-Probe=consul}: header=value pairs, a header named twice
     * sending both values, as Consul's {@code Header} map of lists does.
     */
    static ValueType<Map<String, List<String>>> headers() {
        Pattern token = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+"); // RFC 9110 field names
        return new ValueType<>("Header=value pairs separated by commas, a header named twice sending both values, such as"
                + " Authorization=Bearer s3cr3t,X-Probe=consul (values without commas)") {
            @Override
            Map<String, List<String>> parse(String text) throws Refused {
                Map<String, List<String>> parsed = new LinkedHashMap<>();
                if (text.isEmpty()) {
                    return parsed;
                }
                for (String pair : text.split(",", -1)) {
                    int equals = pair.indexOf('=');
                    String name = equals < 0 ? "" : pair.substring(0, equals).strip();
                    String value = equals < 0 ? "" : pair.substring(equals + 1).strip();
                    if (!token.matcher(name).matches() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                        throw new Refused("is not a list of headers");
                    }
                    parsed.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                }
                return parsed;
            }
        };
    }

    /** An HTTP method, such as {@code HEAD}: an RFC 9110 token, upper case as Consul sends it as given. */
    static ValueType<String> method() {
        Pattern method = Pattern.compile("[A-Z]{1,20}");
        return new ValueType<>("an HTTP method in upper case, such as GET, HEAD or POST") {
            @Override
            String parse(String text) throws Refused {
                if (!method.matcher(text).matches()) {
                    throw new Refused("is not an HTTP method");
                }
                return text;
            }
        };
    }

    /** A whole number from {@code min} to {@code max}. */
    static ValueType<Integer> count(int min, int max) {
        return new ValueType<>("a whole number from " + min + " to " + max) {
            @Override
            Integer parse(String text) throws Refused {
                return number(text, min, max, "is out of range");
            }
        };
    }

    /** Free text for humans, one line of up to {@code max} characters. */
    static ValueType<String> text(int max) {
        return new ValueType<>("one line of text of up to " + max + " characters") {
            @Override
            String parse(String text) throws Refused {
                if (text.length() > max || text.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                    throw new Refused("is not one short line of text");
                }
                return text;
            }
        };
    }

    /** A namespace or admin partition name, as Consul Enterprise validates it (a DNS label). */
    static ValueType<String> enterpriseName(String what) {
        Pattern name = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
        return new ValueType<>("a " + what + " name: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen,"
                + " such as team-a") {
            @Override
            String parse(String text) throws Refused {
                if (!name.matcher(text).matches()) {
                    throw new Refused("is not a " + what + " name");
                }
                return text;
            }
        };
    }

    /** {@code key=value} pairs separated by commas, keys in lower case; empty text for none. */
    private static Map<String, String> pairs(String text, String refusal) throws Refused {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return pairs;
        }
        for (String pair : text.split(",", -1)) {
            int equals = pair.indexOf('=');
            if (equals < 0 || pairs.put(pair.substring(0, equals).strip().toLowerCase(java.util.Locale.ROOT),
                    pair.substring(equals + 1).strip()) != null) {
                throw new Refused(refusal);
            }
        }
        return pairs;
    }

    private static int number(String text, int min, int max, String refusal) throws Refused {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new Refused(refusal);
    }
}
