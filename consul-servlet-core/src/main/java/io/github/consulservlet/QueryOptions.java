package io.github.consulservlet;

import java.util.Objects;
import java.util.Optional;

/**
 * Options of a read: the datacenter to ask and the consistency mode. Immutable; what is not
 * set falls back to the client's configured default.
 *
 * <pre>{@code
 * kv.get("config/db", QueryOptions.datacenter("dc2"));
 * discovery.service("billing", QueryOptions.builder().consistency(ConsistencyMode.STALE).build());
 * }</pre>
 */
public final class QueryOptions {
    /** Every option at the client's default. */
    public static final QueryOptions DEFAULT = new QueryOptions(null, null);

    private final String datacenter;
    private final ConsistencyMode consistency;

    private QueryOptions(String datacenter, ConsistencyMode consistency) {
        this.datacenter = datacenter;
        this.consistency = consistency;
    }

    /** Options that ask datacenter {@code dc}, as the seed helpers' {@code dc} argument. */
    public static QueryOptions datacenter(String dc) {
        return builder().datacenter(dc).build();
    }

    /** A builder with every option at the client's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The datacenter to ask, when not the client's default. */
    public Optional<String> datacenter() {
        return Optional.ofNullable(datacenter);
    }

    /** The consistency mode, when not the client's default. */
    public Optional<ConsistencyMode> consistency() {
        return Optional.ofNullable(consistency);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryOptions other && Objects.equals(datacenter, other.datacenter)
                && consistency == other.consistency;
    }

    @Override
    public int hashCode() {
        return Objects.hash(datacenter, consistency);
    }

    @Override
    public String toString() {
        return "QueryOptions{datacenter=" + datacenter + ", consistency=" + consistency + "}";
    }

    /** Builds {@link QueryOptions}. */
    public static final class Builder {
        private String datacenter;
        private ConsistencyMode consistency;

        private Builder() {
        }

        /** The datacenter to ask. */
        public Builder datacenter(String dc) {
            this.datacenter = Checks.notBlank(dc, "datacenter");
            return this;
        }

        /** The consistency mode of this read. */
        public Builder consistency(ConsistencyMode mode) {
            this.consistency = Objects.requireNonNull(mode, "consistency");
            return this;
        }

        /** The options. */
        public QueryOptions build() {
            return new QueryOptions(datacenter, consistency);
        }
    }
}
