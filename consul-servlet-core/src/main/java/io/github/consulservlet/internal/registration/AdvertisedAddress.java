package io.github.consulservlet.internal.registration;

import io.github.consulservlet.internal.config.ConsulSettings;

/**
 * Where one webapp says it is: the address and port it is registered with, its default service
 * ID and the URL of its HTTP check. Made by {@link WebappRegistration} when the container reports
 * the webapp started (the host and port its connector is bound to); read by the {@link Registrar}
 * each time it describes the instance to the agent.
 */
final class AdvertisedAddress {
    private static final String PATH_CHARACTERS = "-._~!$&'()*+,;=:@/";

    private final String contextPath;
    private final ConsulSettings settings;
    private final String boundHost;
    private final int boundPort;
    private final String serviceId;
    private final boolean tls;

    AdvertisedAddress(String contextPath, ConsulSettings settings, String boundHost, int boundPort) {
        this(contextPath, settings, boundHost, boundPort, false);
    }

    /** {@code tls} when the connector speaks TLS: the HTTP checks then probe {@code https}. */
    AdvertisedAddress(String contextPath, ConsulSettings settings, String boundHost, int boundPort, boolean tls) {
        this.tls = tls;
        this.contextPath = contextPath;
        this.settings = settings;
        this.boundHost = boundHost == null ? "" : boundHost;
        this.boundPort = boundPort;
        String address = address();
        this.serviceId = settings.serviceId().orElseGet(() -> settings.serviceName() + "-"
                + Addresses.idPart(address.isEmpty() || Addresses.isLoopback(address) ? Addresses.hostName() : address)
                + "-" + port());
    }

    /** {@code consul.service.id}, or the name, this host and the port. */
    String serviceId() {
        return serviceId;
    }

    int port() {
        return settings.servicePort().orElse(boundPort);
    }

    /** {@code consul.service.address}, or what {@link Addresses#advertised} finds; empty lets the agent choose. */
    String address() {
        return settings.serviceAddress().orElseGet(() -> Addresses.advertised(settings.agents(), boundHost));
    }

    /**
     * The check's URL. Containers give the context path encoded (Jetty's {@code /a%20b}), or not
     * quite ({@code /a b}), and either must give the agent a valid URL: what is not allowed in a
     * URI path is percent-encoded, escapes already there are kept.
     */
    String checkUrl(String address, int port) {
        return checkUrl(address, port, settings.checkPath());
    }

    /** The URL of an HTTP check on {@code path} of the webapp: {@code https} on a TLS connector. */
    String checkUrl(String address, int port, String path) {
        return (tls ? "https://" : "http://") + hostPort(address, port) + encodePath(contextPath + path);
    }

    /** {@code address:port}, an IPv6 address in brackets: also what a TCP check dials. */
    static String hostPort(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    static String encodePath(String path) {
        StringBuilder out = new StringBuilder(path.length() + 16);
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xFF;
            boolean escape = c == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (c < 0x80 && PATH_CHARACTERS.indexOf(c) >= 0) || escape) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    private static boolean isHex(byte b) {
        return Character.digit(b, 16) >= 0;
    }

    static String checkId(String serviceId) {
        return "service:" + serviceId;
    }
}
