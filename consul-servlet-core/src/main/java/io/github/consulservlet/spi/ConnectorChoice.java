package io.github.consulservlet.spi;

import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of the container's connectors gives a webapp the port it is registered with. A container
 * adapter lists its connectors as it finds them (in the container's order, with the port each is
 * bound to now) and calls {@link #choose}; it then reports the chosen connector's host and port
 * through {@link WebappLifecycle#started}.
 *
 * <p>The policy, the same for every container: only connectors bound to a port count (a port of
 * 0 or less is not bound yet); when the webapp is restricted to some connectors by name, only
 * those, the names compared ignoring case; among them the first plain HTTP one, since that is
 * the one the agent's http check can probe; failing that, the first that serves clients in
 * another way (TLS, say), which the adapter warns about; never one that only talks to a proxy
 * (AJP).
 */
public final class ConnectorChoice {

    private ConnectorChoice() {
    }

    /** What a connector speaks, as far as the choice is concerned. */
    public enum Kind {
        /** Plain HTTP: preferred, the agent's http check can probe it. */
        PLAIN_HTTP,
        /** HTTPS: usable, but an http check cannot probe it. */
        TLS,
        /** Serves clients some other way (no HTTP of its own, say): usable, like {@link #TLS}. */
        OTHER,
        /** Only talks to a front proxy (AJP): never chosen. */
        PROXY_ONLY
    }

    /**
     * One connector as the container describes it.
     *
     * @param name the connector's name, or null when it has none
     * @param kind what it speaks
     * @param host the host it is bound to as the container gives it; see {@link ListeningAddress}
     * @param port the port it is bound to now, 0 or less when it is not bound
     * @param connector the container's own object, handed back to the adapter for its log lines
     */
    public record Connector(String name, Kind kind, String host, int port, Object connector) {
        /** A connector; its kind is required. */
        public Connector {
            Objects.requireNonNull(kind, "kind");
        }

        /** Whether an http check can probe the webapp through this connector. */
        public boolean plainHttp() {
            return kind == Kind.PLAIN_HTTP;
        }
    }

    /**
     * The connector a webapp is registered with, or empty when none qualifies.
     *
     * @param connectors the container's connectors, in its order
     * @param restrictedTo the names of the connectors the webapp is restricted to, or empty when
     *     it takes traffic from all of them
     */
    public static Optional<Connector> choose(Collection<Connector> connectors, Collection<String> restrictedTo) {
        Set<String> named = restrictedTo.stream().map(ConnectorChoice::lower).collect(Collectors.toSet());
        Connector fallback = null;
        for (Connector connector : connectors) {
            if (connector.port() <= 0 || connector.kind() == Kind.PROXY_ONLY
                    || !named.isEmpty() && (connector.name() == null || !named.contains(lower(connector.name())))) {
                continue;
            }
            if (connector.plainHttp()) {
                return Optional.of(connector);
            }
            if (fallback == null) {
                fallback = connector;
            }
        }
        return Optional.ofNullable(fallback);
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
