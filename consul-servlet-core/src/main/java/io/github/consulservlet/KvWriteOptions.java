package io.github.consulservlet;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Options of a KV write, as the seed's {@code consul_set(key, value, cas, acquire, release, dc)}.
 * Immutable.
 *
 * <pre>{@code
 * kv.set("leader", me, KvWriteOptions.acquire(sessionId));   // true when the lock was taken
 * kv.set("config", json, KvWriteOptions.cas(0));              // create only
 * }</pre>
 */
public final class KvWriteOptions {
    /** A plain write. */
    public static final KvWriteOptions DEFAULT = builder().build();

    private final Long cas;
    private final String acquire;
    private final String release;
    private final long flags;
    private final String datacenter;

    private KvWriteOptions(Builder b) {
        this.cas = b.cas;
        this.acquire = b.acquire;
        this.release = b.release;
        this.flags = b.flags;
        this.datacenter = b.datacenter;
    }

    /** Check-and-set: write only if the key's ModifyIndex is {@code index}; 0 writes only if absent. */
    public static KvWriteOptions cas(long index) {
        return builder().cas(index).build();
    }

    /** Write and take the key's lock for {@code sessionId}; the write answers whether it got it. */
    public static KvWriteOptions acquire(String sessionId) {
        return builder().acquire(sessionId).build();
    }

    /** Write and release the key's lock held by {@code sessionId}. */
    public static KvWriteOptions release(String sessionId) {
        return builder().release(sessionId).build();
    }

    /** A builder for a plain write. */
    public static Builder builder() {
        return new Builder();
    }

    /** The ModifyIndex the key must have for the write to happen. */
    public OptionalLong cas() {
        return cas == null ? OptionalLong.empty() : OptionalLong.of(cas);
    }

    /** The session that takes the lock. */
    public Optional<String> acquire() {
        return Optional.ofNullable(acquire);
    }

    /** The session that releases the lock. */
    public Optional<String> release() {
        return Optional.ofNullable(release);
    }

    /**
     * Opaque flags stored with the value, 0 by default: Consul's unsigned 64-bit number, in the
     * bits of a {@code long} (read it with {@link Long#toUnsignedString(long)}).
     */
    public long flags() {
        return flags;
    }

    /** The datacenter to write to, when not the client's default. */
    public Optional<String> datacenter() {
        return Optional.ofNullable(datacenter);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvWriteOptions other && Objects.equals(cas, other.cas)
                && Objects.equals(acquire, other.acquire) && Objects.equals(release, other.release)
                && flags == other.flags && Objects.equals(datacenter, other.datacenter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cas, acquire, release, flags, datacenter);
    }

    @Override
    public String toString() {
        return "KvWriteOptions{cas=" + cas + ", acquire=" + acquire + ", release=" + release
                + ", flags=" + flags + ", datacenter=" + datacenter + "}";
    }

    /** Builds {@link KvWriteOptions}. */
    public static final class Builder {
        private Long cas;
        private String acquire;
        private String release;
        private long flags;
        private String datacenter;

        private Builder() {
        }

        /** Check-and-set against {@code index}; 0 means create only. */
        public Builder cas(long index) {
            this.cas = Checks.notNegative(index, "cas");
            return this;
        }

        /** Take the lock for this session. */
        public Builder acquire(String sessionId) {
            this.acquire = Checks.notBlank(sessionId, "acquire session id");
            return this;
        }

        /** Release the lock held by this session. */
        public Builder release(String sessionId) {
            this.release = Checks.notBlank(sessionId, "release session id");
            return this;
        }

        /**
         * Opaque flags stored with the value: any 64 bits, which Consul holds as an unsigned
         * number (a negative {@code long} is one of 2^63 and above, such as {@code 0xe0f69a2baa414de0L}).
         */
        public Builder flags(long flags) {
            this.flags = flags;
            return this;
        }

        /** The datacenter to write to. */
        public Builder datacenter(String dc) {
            this.datacenter = Checks.notBlank(dc, "datacenter");
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when more than one of cas, acquire and release is set,
         *         which Consul refuses ("Conflicting flags")
         */
        public KvWriteOptions build() {
            if ((cas != null ? 1 : 0) + (acquire != null ? 1 : 0) + (release != null ? 1 : 0) > 1) {
                throw new IllegalArgumentException(
                        "a KV write can check-and-set or acquire or release a lock, not two of them");
            }
            return new KvWriteOptions(this);
        }
    }
}
