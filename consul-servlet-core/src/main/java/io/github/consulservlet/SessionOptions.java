package io.github.consulservlet;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a new session is made of, as the seed's
 * {@code consul_session_create(lock_delay, name, node, checks, ttl, behavior)}. Immutable; what is
 * not set is left to Consul (lock delay 15s, this agent's node, the node's {@code serfHealth}
 * check, no TTL, {@link SessionBehavior#RELEASE}).
 *
 * <pre>{@code
 * String id = sessions.create(SessionOptions.builder().name("leader").ttl(Duration.ofSeconds(30)).build());
 * }</pre>
 */
public final class SessionOptions {
    /** Every option at Consul's default. */
    public static final SessionOptions DEFAULT = builder().build();

    private static final Duration MIN_TTL = Duration.ofSeconds(10);
    private static final Duration MAX_TTL = Duration.ofSeconds(86_400);
    private static final Duration MAX_LOCK_DELAY = Duration.ofSeconds(60);

    private final Duration lockDelay;
    private final String name;
    private final String node;
    private final List<String> checks;
    private final Duration ttl;
    private final SessionBehavior behavior;
    private final String datacenter;
    private final boolean keepAfterClose;

    private SessionOptions(Builder b) {
        this.lockDelay = b.lockDelay;
        this.name = b.name;
        this.node = b.node;
        this.checks = b.checks;
        this.ttl = b.ttl;
        this.behavior = b.behavior;
        this.datacenter = b.datacenter;
        this.keepAfterClose = b.keepAfterClose;
    }

    /** A builder with every option at Consul's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** How long a lock released by invalidation stays unavailable. */
    public Optional<Duration> lockDelay() {
        return Optional.ofNullable(lockDelay);
    }

    /** A human-readable name. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** The node the session belongs to; the agent's own by default. */
    public Optional<String> node() {
        return Optional.ofNullable(node);
    }

    /** The checks whose failure invalidates the session; Consul's default when absent. */
    public Optional<List<String>> checks() {
        return Optional.ofNullable(checks);
    }

    /** The time after which, unless renewed, the session is invalidated. */
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    /** What happens to held keys on invalidation. */
    public Optional<SessionBehavior> behavior() {
        return Optional.ofNullable(behavior);
    }

    /** The datacenter, when not the client's default. */
    public Optional<String> datacenter() {
        return Optional.ofNullable(datacenter);
    }

    /** Whether the session outlives the context that created it. */
    public boolean keepAfterClose() {
        return keepAfterClose;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionOptions other && keepAfterClose == other.keepAfterClose
                && Objects.equals(lockDelay, other.lockDelay)
                && Objects.equals(name, other.name) && Objects.equals(node, other.node)
                && Objects.equals(checks, other.checks) && Objects.equals(ttl, other.ttl)
                && behavior == other.behavior && Objects.equals(datacenter, other.datacenter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lockDelay, name, node, checks, ttl, behavior, datacenter, keepAfterClose);
    }

    @Override
    public String toString() {
        return "SessionOptions{lockDelay=" + lockDelay + ", name=" + name + ", node=" + node
                + ", checks=" + checks + ", ttl=" + ttl + ", behavior=" + behavior
                + ", datacenter=" + datacenter + ", keepAfterClose=" + keepAfterClose + "}";
    }

    /** Builds {@link SessionOptions}. */
    public static final class Builder {
        private Duration lockDelay;
        private String name;
        private String node;
        private List<String> checks;
        private Duration ttl;
        private SessionBehavior behavior;
        private String datacenter;
        private boolean keepAfterClose;

        private Builder() {
        }

        /** Lock delay, 0 to 60 seconds. */
        public Builder lockDelay(Duration lockDelay) {
            this.lockDelay = Checks.within(lockDelay, Duration.ZERO, MAX_LOCK_DELAY, "lock delay");
            return this;
        }

        /** A human-readable name. */
        public Builder name(String name) {
            this.name = Checks.notBlank(name, "session name");
            return this;
        }

        /** The node the session belongs to. */
        public Builder node(String node) {
            this.node = Checks.notBlank(node, "node");
            return this;
        }

        /** The check IDs whose failure invalidates the session; empty for none. */
        public Builder checks(List<String> checkIds) {
            this.checks = List.copyOf(checkIds);
            return this;
        }

        /** TTL between 10 seconds and 24 hours, as Consul accepts. */
        public Builder ttl(Duration ttl) {
            this.ttl = Checks.within(ttl, MIN_TTL, MAX_TTL, "session TTL");
            return this;
        }

        /** What happens to held keys on invalidation. */
        public Builder behavior(SessionBehavior behavior) {
            this.behavior = Objects.requireNonNull(behavior, "behavior");
            return this;
        }

        /** The datacenter. */
        public Builder datacenter(String dc) {
            this.datacenter = Checks.notBlank(dc, "datacenter");
            return this;
        }

        /**
         * Leaves the session alive when the context that created it closes: someone else will
         * destroy it, or its TTL will.
         */
        public Builder keepAfterClose() {
            this.keepAfterClose = true;
            return this;
        }

        /** The options. */
        public SessionOptions build() {
            return new SessionOptions(this);
        }
    }
}
