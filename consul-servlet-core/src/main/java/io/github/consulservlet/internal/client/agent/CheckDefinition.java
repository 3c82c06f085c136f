package io.github.consulservlet.internal.client.agent;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.Optional;

import com.google.gson.JsonObject;

import io.github.consulservlet.internal.client.json.GoDuration;
import io.github.consulservlet.internal.client.json.Json;

/**
 * A health check registered together with a service: an HTTP or TCP check that the agent probes,
 * or a TTL check that is reported to. Immutable.
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
    private final String tcp;
    private final String method;
    private final Map<String, List<String>> header;
    private final boolean tlsSkipVerify;
    private final String tlsServerName;
    private final int successBeforePassing;
    private final int failuresBeforeCritical;

    private CheckDefinition(Builder b) {
        this.tcp = b.tcp;
        this.method = b.method;
        this.header = new TreeMap<>(b.header);
        this.tlsSkipVerify = b.tlsSkipVerify;
        this.tlsServerName = b.tlsServerName;
        this.successBeforePassing = b.successBeforePassing;
        this.failuresBeforeCritical = b.failuresBeforeCritical;
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

    /** A check the agent passes when it can open a TCP connection to {@code host:port}, tried every {@code interval}. */
    public static Builder tcp(String hostAndPort, Duration interval) {
        Builder b = new Builder();
        b.tcp = Objects.requireNonNull(hostAndPort, "hostAndPort");
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
            if (method != null) {
                json.addProperty("Method", method);
            }
            if (!header.isEmpty()) {
                JsonObject headers = new JsonObject();
                header.forEach((name, values) -> headers.add(name, Json.array(values)));
                json.add("Header", headers);
            }
            if (tlsServerName != null) {
                json.addProperty("TLSServerName", tlsServerName);
            }
            if (tlsSkipVerify) {
                json.addProperty("TLSSkipVerify", true);
            }
        }
        if (tcp != null) {
            json.addProperty("TCP", tcp);
        }
        if (http != null || tcp != null) {
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
        if (successBeforePassing > 0) {
            json.addProperty("SuccessBeforePassing", successBeforePassing);
        }
        if (failuresBeforeCritical > 0) {
            json.addProperty("FailuresBeforeCritical", failuresBeforeCritical);
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
    public String toString() { // header values may be credentials: only their names are shown
        JsonObject json = toJson();
        if (json.has("Header")) {
            JsonObject names = new JsonObject();
            header.keySet().forEach(name -> names.addProperty(name, "(hidden)"));
            json.add("Header", names);
        }
        return "CheckDefinition" + Json.write(json);
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
        private String tcp;
        private String method;
        private final Map<String, List<String>> header = new LinkedHashMap<>();
        private boolean tlsSkipVerify;
        private String tlsServerName;
        private int successBeforePassing;
        private int failuresBeforeCritical;

        private Builder() {
        }

        /** The HTTP method of an HTTP check; Consul's default is GET. */
        public Builder method(String method) {
            requireHttp("a method");
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        /** Headers the agent sends with an HTTP check, each name with its values. */
        public Builder header(Map<String, List<String>> headers) {
            requireHttp("headers");
            headers.forEach((name, values) -> header.put(name, List.copyOf(values)));
            return this;
        }

        /** Whether the agent skips verifying the certificate of an {@code https} check. */
        public Builder tlsSkipVerify(boolean skip) {
            requireHttp("TLSSkipVerify");
            this.tlsSkipVerify = skip;
            return this;
        }

        /** The name the agent verifies the certificate of an {@code https} check against, and sends as SNI. */
        public Builder tlsServerName(String name) {
            requireHttp("a TLS server name");
            this.tlsServerName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** How many successes in a row turn the check passing; 0 for Consul's default (the first). */
        public Builder successBeforePassing(int count) {
            this.successBeforePassing = notNegative(count, "SuccessBeforePassing");
            return this;
        }

        /** How many failures in a row turn the check critical; 0 for Consul's default (the first). */
        public Builder failuresBeforeCritical(int count) {
            this.failuresBeforeCritical = notNegative(count, "FailuresBeforeCritical");
            return this;
        }

        private void requireHttp(String what) {
            if (http == null) {
                throw new IllegalStateException("only an HTTP check has " + what);
            }
        }

        private static int notNegative(int count, String what) {
            if (count < 0) {
                throw new IllegalArgumentException(what + " must be 0 or more, was " + count);
            }
            return count;
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
            if (http == null && tcp == null) {
                throw new IllegalStateException("only an HTTP or TCP check has a timeout");
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
