package io.github.consulservlet.internal.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the agents string of {@code consul.agent} and {@code CONSUL_HTTP_ADDR}: comma-separated,
 * each {@code host:port} or an {@code http}/{@code https} URL without path, in failover order.
 * The one parser of that string: the settings check it with this class, the client builder
 * takes its agents from it, and whoever needs an agent's host (token warnings, the advertised
 * address) reads it here, so that they can never disagree on what a value means.
 */
public final class AgentAddresses {
    /** What an agents string that cannot be read is, worded to follow the setting and its value. */
    public static final String WHAT = "is not a list of agent addresses";
    /** The accepted form, as the settings' errors and docs say it. */
    public static final String ACCEPTED = "host:port or http(s)://host:port, comma-separated for failover,"
            + " such as 127.0.0.1:8500 or https://consul.local:8501";

    private AgentAddresses() {
    }

    /**
     * The agents as base URLs ({@code http} or {@code https}, lower case, no path), in order.
     *
     * @throws IllegalArgumentException naming the value and the accepted form
     */
    public static List<URI> parse(String commaSeparated) {
        List<URI> parsed = new ArrayList<>();
        for (String part : commaSeparated.split(",", -1)) {
            parsed.add(parseOne(part.strip(), commaSeparated));
        }
        return List.copyOf(parsed);
    }

    /** The host of an agent URL as {@link #parse} made it, without the brackets of an IPv6 address. */
    public static String host(URI agent) {
        String host = agent.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** One agent; {@code whole} is the value it came from, for the error. */
    static URI parseOne(String text, String whole) {
        String candidate = text.contains("://") ? text : "http://" + text;
        try {
            URI uri = new URI(candidate);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean pathless = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && pathless
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null) {
                return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
            }
        } catch (URISyntaxException e) {
            // reported below with the accepted form
        }
        throw new IllegalArgumentException("consul.agent '" + whole + "' " + WHAT + "; expected " + ACCEPTED);
    }
}
