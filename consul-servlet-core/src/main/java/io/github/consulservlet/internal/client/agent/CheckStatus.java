package io.github.consulservlet.internal.client.agent;

import java.util.Locale;

/** The state of a Consul health check. */
public enum CheckStatus {
    /** Healthy: the instance is served by discovery. */
    PASSING,
    /** Degraded but still served. */
    WARNING,
    /** Unhealthy: the instance is left out of discovery. */
    CRITICAL,
    /** Consul's maintenance check reports it (read only). */
    MAINTENANCE;

    /** The form Consul's JSON uses, such as {@code passing}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static CheckStatus fromWire(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return CRITICAL;
        }
    }
}
