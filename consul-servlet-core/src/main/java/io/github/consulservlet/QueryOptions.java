package io.github.consulservlet;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of a read: the datacenter to ask and the consistency mode, and for discovery the
 * options Consul's catalog and health endpoints take: agent caching, a filter expression, the
 * node to sort by round trip time from, and node metadata. Immutable; what is not set falls back
 * to the client's configured default. KV reads use the datacenter and the consistency mode only.
 *
 * <pre>{@code
 * kv.get("config/db", QueryOptions.datacenter("dc2"));
 * discovery.service("billing", QueryOptions.builder().consistency(ConsistencyMode.STALE).build());
 * discovery.service("billing", QueryOptions.builder()
 *         .cached(Duration.ofSeconds(30)).staleIfError(Duration.ofMinutes(5))  // ?cached, Cache-Control
 *         .filter("Service.Meta.version == \"2\"")                              // ?filter=
 *         .nodeMeta("rack", "r1")                                               // ?node-meta=rack:r1
 *         .near("_agent")                                                       // ?near=_agent
 *         .build());
 * }</pre>
 */
public final class QueryOptions {
    /** Every option at the client's default. */
    public static final QueryOptions DEFAULT = builder().build();

    private final String datacenter;
    private final ConsistencyMode consistency;
    private final boolean cached;
    private final Duration maxAge;
    private final Duration staleIfError;
    private final String filter;
    private final String near;
    private final Map<String, String> nodeMeta;

    private QueryOptions(Builder b) {
        this.datacenter = b.datacenter;
        this.consistency = b.consistency;
        this.cached = b.cached;
        this.maxAge = b.maxAge;
        this.staleIfError = b.staleIfError;
        this.filter = b.filter;
        this.near = b.near;
        this.nodeMeta = Collections.unmodifiableMap(new LinkedHashMap<>(b.nodeMeta));
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

    /** Whether the local agent may answer from its cache (Consul's {@code ?cached}). */
    public boolean cached() {
        return cached;
    }

    /** How old a cached answer may be ({@code Cache-Control: max-age}), when limited. */
    public Optional<Duration> maxAge() {
        return Optional.ofNullable(maxAge);
    }

    /** How old a cached answer may be when the servers cannot be reached ({@code stale-if-error}), when allowed. */
    public Optional<Duration> staleIfError() {
        return Optional.ofNullable(staleIfError);
    }

    /** Consul's filter expression ({@code ?filter}), applied by the servers to the results. */
    public Optional<String> filter() {
        return Optional.ofNullable(filter);
    }

    /** The node whose round trip time sorts the instances ({@code ?near}; {@code _agent} for this agent's). */
    public Optional<String> near() {
        return Optional.ofNullable(near);
    }

    /** The node metadata every result's node must have ({@code ?node-meta=key:value}, one each). */
    public Map<String, String> nodeMeta() {
        return nodeMeta;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryOptions other && Objects.equals(datacenter, other.datacenter)
                && consistency == other.consistency && cached == other.cached && Objects.equals(maxAge, other.maxAge)
                && Objects.equals(staleIfError, other.staleIfError) && Objects.equals(filter, other.filter)
                && Objects.equals(near, other.near) && nodeMeta.equals(other.nodeMeta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(datacenter, consistency, cached, maxAge, staleIfError, filter, near, nodeMeta);
    }

    @Override
    public String toString() {
        return "QueryOptions{datacenter=" + datacenter + ", consistency=" + consistency + ", cached=" + cached
                + ", maxAge=" + maxAge + ", staleIfError=" + staleIfError + ", filter=" + filter + ", near=" + near
                + ", nodeMeta=" + nodeMeta + "}";
    }

    /** Builds {@link QueryOptions}. */
    public static final class Builder {
        private String datacenter;
        private ConsistencyMode consistency;
        private boolean cached;
        private Duration maxAge;
        private Duration staleIfError;
        private String filter;
        private String near;
        private final Map<String, String> nodeMeta = new LinkedHashMap<>();

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

        /** Lets the local agent answer from its cache, however old the answer (Consul's agent caching). */
        public Builder cached() {
            this.cached = true;
            return this;
        }

        /** Lets the local agent answer from its cache with an answer at most {@code maxAge} old. */
        public Builder cached(Duration maxAge) {
            this.maxAge = wholeSeconds(maxAge, "maxAge");
            this.cached = true;
            return this;
        }

        /** A cached answer up to {@code staleIfError} old may be given while the servers cannot answer; implies {@link #cached()}. */
        public Builder staleIfError(Duration staleIfError) {
            this.staleIfError = wholeSeconds(staleIfError, "staleIfError");
            this.cached = true;
            return this;
        }

        /** Consul's filter expression, such as {@code Service.Meta.version == "2"}. */
        public Builder filter(String expression) {
            this.filter = Checks.notBlank(expression, "filter");
            return this;
        }

        /** Sorts the instances by round trip time from {@code node}; {@code _agent} is the agent asked. */
        public Builder near(String node) {
            this.near = Checks.notBlank(node, "near");
            return this;
        }

        /** Keeps the instances whose node has metadata {@code key} equal to {@code value}; may be given for several keys. */
        public Builder nodeMeta(String key, String value) {
            String k = Checks.notBlank(key, "node metadata key");
            if (k.contains(":")) {
                throw new IllegalArgumentException("a node metadata key must not contain ':', which Consul reads as the"
                        + " end of the key: " + k);
            }
            nodeMeta.put(k, Objects.requireNonNull(value, "node metadata value"));
            return this;
        }

        /** The options. */
        public QueryOptions build() {
            return new QueryOptions(this);
        }

        /** Cache-Control counts whole seconds. */
        private static Duration wholeSeconds(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException(name + " must be whole seconds, zero or more, as Cache-Control counts"
                        + " them: " + duration);
            }
            return duration;
        }
    }
}
