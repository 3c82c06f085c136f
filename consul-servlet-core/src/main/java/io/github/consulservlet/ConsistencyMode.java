package io.github.consulservlet;

import java.util.Locale;

/**
 * How up to date a read must be, as Consul's
 * <a href="https://developer.hashicorp.com/consul/api-docs/features/consistency">consistency
 * modes</a> define it.
 */
public enum ConsistencyMode {
    /** Strongly consistent in almost all cases, served by the leader; no query parameter. */
    DEFAULT,
    /** Always consistent: the leader first confirms with a quorum ({@code ?consistent}). */
    CONSISTENT,
    /** Any server may answer, possibly stale; fast and available without a leader ({@code ?stale}). */
    STALE;

    /**
     * The mode named by {@code text}, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static ConsistencyMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("consistency mode '" + text
                    + "' is not one of: default, consistent, stale", e);
        }
    }
}
