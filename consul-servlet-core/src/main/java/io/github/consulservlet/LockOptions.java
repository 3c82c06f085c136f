package io.github.consulservlet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link ConsulLock} or {@link ConsulSemaphore} is made, as the Go client's
 * {@code LockOptions} and {@code SemaphoreOptions}. Immutable; what is not set takes the Go
 * client's default: a session of its own named {@code "Consul API Lock"} (or
 * {@code "Consul API Semaphore"}) with a TTL of 15s renewed every half TTL, Consul's lock delay
 * of 15s, blocking queries of 15s while waiting, and no retries while held (any error reading
 * the key counts as a loss).
 *
 * <pre>{@code
 * LockOptions options = LockOptions.builder().value("host-a").monitorRetries(3).build();
 * }</pre>
 */
public final class LockOptions {
    /** Every option at the Go client's default. */
    public static final LockOptions DEFAULT = builder().build();

    private static final Duration MIN_TTL = Duration.ofSeconds(10);
    private static final Duration MAX_TTL = Duration.ofSeconds(86_400);
    private static final Duration MAX_LOCK_DELAY = Duration.ofSeconds(60);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final byte[] value;
    private final String session;
    private final String sessionName;
    private final Duration sessionTtl;
    private final Duration lockDelay;
    private final Integer monitorRetries;
    private final Duration monitorRetryTime;
    private final Duration waitTime;

    private LockOptions(Builder b) {
        this.value = b.value;
        this.session = b.session;
        this.sessionName = b.sessionName;
        this.sessionTtl = b.sessionTtl;
        this.lockDelay = b.lockDelay;
        this.monitorRetries = b.monitorRetries;
        this.monitorRetryTime = b.monitorRetryTime;
        this.waitTime = b.waitTime;
    }

    /** A builder with every option at the Go client's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The value written with the lock (a semaphore: with its contender key); empty by default. */
    public byte[] value() {
        return value == null ? new byte[0] : value.clone();
    }

    /** The caller's session to hold the lock with, instead of one of its own. */
    public Optional<String> session() {
        return Optional.ofNullable(session);
    }

    /** The name of the session made for the lock. */
    public Optional<String> sessionName() {
        return Optional.ofNullable(sessionName);
    }

    /** The TTL of the session made for the lock. */
    public Optional<Duration> sessionTtl() {
        return Optional.ofNullable(sessionTtl);
    }

    /** The lock delay of the session made for the lock. */
    public Optional<Duration> lockDelay() {
        return Optional.ofNullable(lockDelay);
    }

    /** How many failed reads in a row a held lock rides out before it counts as lost. */
    public Optional<Integer> monitorRetries() {
        return Optional.ofNullable(monitorRetries);
    }

    /** The pause before each of those retries. */
    public Optional<Duration> monitorRetryTime() {
        return Optional.ofNullable(monitorRetryTime);
    }

    /** How long each blocking query waits while the lock is taken by someone else. */
    public Optional<Duration> waitTime() {
        return Optional.ofNullable(waitTime);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LockOptions other && Arrays.equals(value, other.value)
                && Objects.equals(session, other.session) && Objects.equals(sessionName, other.sessionName)
                && Objects.equals(sessionTtl, other.sessionTtl) && Objects.equals(lockDelay, other.lockDelay)
                && Objects.equals(monitorRetries, other.monitorRetries)
                && Objects.equals(monitorRetryTime, other.monitorRetryTime) && Objects.equals(waitTime, other.waitTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(value), session, sessionName, sessionTtl, lockDelay, monitorRetries,
                monitorRetryTime, waitTime);
    }

    @Override
    public String toString() {
        return "LockOptions{" + (value == null ? 0 : value.length) + " bytes, session=" + session
                + ", sessionName=" + sessionName + ", sessionTtl=" + sessionTtl + ", lockDelay=" + lockDelay
                + ", monitorRetries=" + monitorRetries + ", monitorRetryTime=" + monitorRetryTime
                + ", waitTime=" + waitTime + "}";
    }

    /** Builds {@link LockOptions}. */
    public static final class Builder {
        private byte[] value;
        private String session;
        private String sessionName;
        private Duration sessionTtl;
        private Duration lockDelay;
        private Integer monitorRetries;
        private Duration monitorRetryTime;
        private Duration waitTime;

        private Builder() {
        }

        /** The value written with the lock, at most 512 KiB. */
        public Builder value(byte[] value) {
            if (value.length > KeyValueStore.MAX_VALUE_BYTES) {
                throw new IllegalArgumentException("a lock's value is at most 512 KiB, was " + value.length + " bytes");
            }
            this.value = value.clone();
            return this;
        }

        /** The value written with the lock, as UTF-8. */
        public Builder value(String value) {
            return value(value.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Holds the lock with the caller's session, which the lock neither renews nor destroys:
         * its TTL, checks and lock delay are the caller's to choose and keep.
         */
        public Builder session(String sessionId) {
            this.session = Checks.notBlank(sessionId, "session id");
            return this;
        }

        /** The name of the session made for the lock. */
        public Builder sessionName(String name) {
            this.sessionName = Checks.notBlank(name, "session name");
            return this;
        }

        /** The TTL of the session made for the lock, 10s to 24h; 15s by default. */
        public Builder sessionTtl(Duration ttl) {
            this.sessionTtl = Checks.within(ttl, MIN_TTL, MAX_TTL, "session TTL");
            return this;
        }

        /** The lock delay of the session made for the lock, 0 to 60s; Consul's 15s by default. */
        public Builder lockDelay(Duration lockDelay) {
            this.lockDelay = Checks.within(lockDelay, Duration.ZERO, MAX_LOCK_DELAY, "lock delay");
            return this;
        }

        /** Failed reads of a held lock to ride out (server errors, no answer); 0 by default. */
        public Builder monitorRetries(int retries) {
            this.monitorRetries = (int) Checks.notNegative(retries, "monitor retries");
            return this;
        }

        /** The pause before each monitor retry; 2s by default. */
        public Builder monitorRetryTime(Duration pause) {
            this.monitorRetryTime = Checks.within(pause, Duration.ofMillis(1), MAX_WAIT, "monitor retry time");
            return this;
        }

        /** How long each blocking query waits while the lock is taken; 15s by default. */
        public Builder waitTime(Duration wait) {
            this.waitTime = Checks.within(wait, Duration.ofMillis(1), MAX_WAIT, "lock wait time");
            return this;
        }

        /** The options. */
        public LockOptions build() {
            return new LockOptions(this);
        }
    }
}
