package io.github.consulservlet.internal.client.agent;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import com.google.gson.JsonObject;

import io.github.consulservlet.internal.client.json.GoDuration;
import io.github.consulservlet.internal.client.json.Json;

/**
 * A health check registered together with a service: an HTTP check that the agent probes, or a
 * TTL check that we report to. Immutable.
 *
 * <pre>{@code
 * CheckDefinition.http("http://127.0.0.1:8080/shop/consul/health", Duration.ofSeconds(10))
 *         .timeout(Duration.ofSeconds(5)).status(CheckStatus.CRITICAL).build();
 * }</pre>
 */
public final class CheckDefinition {
    private static final Duration MIN_DEREGISTER_AFTER = Duration.ofMinutes(1);

    private final String id;
    private final String name;
    private final String http;
    private final Duration interval;
    private final Duration timeout;
    private final Duration ttl;
    private final CheckStatus status;
    private final String notes;
    private final Duration deregisterCriticalServiceAfter;

    private CheckDefinition(Builder b) {
        this.id = b.id;
        this.name = b.name;
        this.http = b.http;
        this.interval = b.interval;
        this.timeout = b.timeout;
        this.ttl = b.ttl;
        this.status = b.status;
        this.notes = b.notes;
        this.deregisterCriticalServiceAfter = b.deregisterCriticalServiceAfter;
    }

    /** A check the agent passes when {@code url} answers 2xx (429 warns), probed every {@code interval}. */
    public static Builder http(String url, Duration interval) {
        Builder b = new Builder();
        b.http = Objects.requireNonNull(url, "url");
        b.interval = positive(interval, "check interval");
        return b;
    }

    /** A check that turns critical unless reported to within {@code ttl}. */
    public static Builder ttl(Duration ttl) {
        Builder b = new Builder();
        b.ttl = positive(ttl, "check TTL");
        return b;
    }

    /** The check ID, when not Consul's default ({@code service:<service id>}). */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    /** The URL of an HTTP check. */
    public Optional<String> httpUrl() {
        return Optional.ofNullable(http);
    }

    /** The TTL of a TTL check. */
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    /** The status the check starts in, when not Consul's default (critical). */
    public Optional<CheckStatus> status() {
        return Optional.ofNullable(status);
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject();
        if (id != null) {
            json.addProperty("CheckID", id);
        }
        if (name != null) {
            json.addProperty("Name", name);
        }
        if (http != null) {
            json.addProperty("HTTP", http);
            json.addProperty("Interval", GoDuration.format(interval));
            if (timeout != null) {
                json.addProperty("Timeout", GoDuration.format(timeout));
            }
        }
        if (ttl != null) {
            json.addProperty("TTL", GoDuration.format(ttl));
        }
        if (status != null) {
            json.addProperty("Status", status.wireName());
        }
        if (notes != null) {
            json.addProperty("Notes", notes);
        }
        if (deregisterCriticalServiceAfter != null) {
            json.addProperty("DeregisterCriticalServiceAfter", GoDuration.format(deregisterCriticalServiceAfter));
        }
        return json;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckDefinition other && toJson().equals(other.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "CheckDefinition" + Json.write(toJson());
    }

    private static Duration positive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + duration);
        }
        return duration;
    }

    /** Builds a {@link CheckDefinition}; start from {@link #http} or {@link #ttl}. */
    public static final class Builder {
        private String id;
        private String name;
        private String http;
        private Duration interval;
        private Duration timeout;
        private Duration ttl;
        private CheckStatus status;
        private String notes;
        private Duration deregisterCriticalServiceAfter;

        private Builder() {
        }

        /** The check ID. */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /** The check name shown in Consul's UI. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** How long the agent waits for an HTTP check's answer. */
        public Builder timeout(Duration timeout) {
            if (http == null) {
                throw new IllegalStateException("only an HTTP check has a timeout");
            }
            this.timeout = positive(timeout, "check timeout");
            return this;
        }

        /** The status the check starts in; {@code critical} keeps traffic away until the first pass. */
        public Builder status(CheckStatus status) {
            if (status == CheckStatus.MAINTENANCE) {
                throw new IllegalArgumentException("a check cannot start in maintenance");
            }
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        /** Free text for humans. */
        public Builder notes(String notes) {
            this.notes = Objects.requireNonNull(notes, "notes");
            return this;
        }

        /** Consul deregisters the service once this check has been critical this long; 1 minute at least. */
        public Builder deregisterCriticalServiceAfter(Duration after) {
            if (after == null || after.compareTo(MIN_DEREGISTER_AFTER) < 0) {
                throw new IllegalArgumentException("DeregisterCriticalServiceAfter must be 1m or more, was " + after);
            }
            this.deregisterCriticalServiceAfter = after;
            return this;
        }

        /** The check. */
        public CheckDefinition build() {
            return new CheckDefinition(this);
        }
    }
}
