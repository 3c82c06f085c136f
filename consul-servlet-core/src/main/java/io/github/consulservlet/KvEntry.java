package io.github.consulservlet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A key and its value as Consul's KV store holds them. Immutable: the value is copied in and out.
 *
 * @param key the full key
 * @param value the raw value, empty when the key holds none
 * @param flags the opaque flags stored with the value: Consul's unsigned 64-bit number, in the bits
 *        of a {@code long} (see {@link Long#toUnsignedString(long)})
 * @param createIndex the index that created the key
 * @param modifyIndex the index that last changed it, for check-and-set
 * @param lockIndex how many times its lock was acquired
 * @param session the session that holds its lock, if any
 */
public record KvEntry(String key, byte[] value, long flags, long createIndex, long modifyIndex,
        long lockIndex, Optional<String> session) {

    /** Copies the value in. */
    public KvEntry {
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value.clone();
        Objects.requireNonNull(session, "session");
    }

    /** A copy of the raw value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value decoded as UTF-8. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEntry other && key.equals(other.key) && Arrays.equals(value, other.value)
                && flags == other.flags && createIndex == other.createIndex
                && modifyIndex == other.modifyIndex && lockIndex == other.lockIndex
                && session.equals(other.session);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), flags, createIndex, modifyIndex, lockIndex, session);
    }

    @Override
    public String toString() {
        return "KvEntry{key=" + key + ", " + value.length + " bytes, flags=" + flags + ", createIndex="
                + createIndex + ", modifyIndex=" + modifyIndex + ", lockIndex=" + lockIndex
                + ", session=" + session.orElse("-") + "}";
    }
}
