package io.github.consulservlet;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Options of a KV delete, as the seed's {@code consul_del(key, recurse, dc)}. Immutable.
 *
 * <pre>{@code
 * kv.delete("jobs/", KvDeleteOptions.recurse());
 * }</pre>
 */
public final class KvDeleteOptions {
    /** Delete exactly the key. */
    public static final KvDeleteOptions DEFAULT = builder().build();

    private final boolean recurse;
    private final Long cas;
    private final String datacenter;

    private KvDeleteOptions(boolean recurse, Long cas, String datacenter) {
        this.recurse = recurse;
        this.cas = cas;
        this.datacenter = datacenter;
    }

    /** Delete every key that starts with the given prefix. */
    public static KvDeleteOptions recurse() {
        return builder().recurse(true).build();
    }

    /** A builder for deleting exactly the key. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether every key under the prefix is deleted. */
    public boolean isRecurse() {
        return recurse;
    }

    /** The ModifyIndex the key must have for the delete to happen. */
    public OptionalLong cas() {
        return cas == null ? OptionalLong.empty() : OptionalLong.of(cas);
    }

    /** The datacenter, when not the client's default. */
    public Optional<String> datacenter() {
        return Optional.ofNullable(datacenter);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvDeleteOptions other && recurse == other.recurse
                && Objects.equals(cas, other.cas) && Objects.equals(datacenter, other.datacenter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(recurse, cas, datacenter);
    }

    @Override
    public String toString() {
        return "KvDeleteOptions{recurse=" + recurse + ", cas=" + cas + ", datacenter=" + datacenter + "}";
    }

    /** Builds {@link KvDeleteOptions}. */
    public static final class Builder {
        private boolean recurse;
        private Long cas;
        private String datacenter;

        private Builder() {
        }

        /** Delete every key under the prefix. */
        public Builder recurse(boolean recurse) {
            this.recurse = recurse;
            return this;
        }

        /** Delete only if the key's ModifyIndex is {@code index}. */
        public Builder cas(long index) {
            this.cas = Checks.notNegative(index, "cas");
            return this;
        }

        /** The datacenter. */
        public Builder datacenter(String dc) {
            this.datacenter = Checks.notBlank(dc, "datacenter");
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when both recurse and cas are set: a check-and-set applies to one key
         */
        public KvDeleteOptions build() {
            if (recurse && cas != null) {
                throw new IllegalArgumentException("a recursive KV delete cannot be check-and-set");
            }
            return new KvDeleteOptions(recurse, cas, datacenter);
        }
    }
}
