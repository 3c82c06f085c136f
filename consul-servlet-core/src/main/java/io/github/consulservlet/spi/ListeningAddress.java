package io.github.consulservlet.spi;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The host a connector listens on, as consul-servlet is told it: empty when the connector takes
 * connections on every interface (no host, {@code 0.0.0.0}, {@code ::} and its other spellings),
 * else the host as the container gives it. Container adapters call it on the host they read from
 * their connector; the registration calls {@link #isEveryInterface} to decide whether it must
 * find an address to advertise itself.
 */
public final class ListeningAddress {

    private ListeningAddress() {
    }

    /** The host of a connector configured with {@code host}: empty when that is every interface. */
    public static String host(String host) {
        if (host == null || host.isBlank()) {
            return "";
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (literal.contains(":") || literal.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            try { // an IP literal: parsed, never looked up
                if (InetAddress.getByName(literal).isAnyLocalAddress()) {
                    return "";
                }
            } catch (UnknownHostException e) {
                return host;
            }
        }
        return host;
    }

    /** The host of a connector bound to {@code address}: empty when that is null or every interface. */
    public static String host(InetAddress address) {
        return address == null || address.isAnyLocalAddress() ? "" : address.getHostAddress();
    }

    /** Whether a connector that listens on {@code host} takes connections on every interface. */
    public static boolean isEveryInterface(String host) {
        return host(host).isEmpty();
    }
}
