package io.github.consulservlet;

import java.util.List;
import java.util.Optional;

/**
 * Consul's KV store. Keys are data: each {@code /}-separated segment is percent-encoded, so no
 * key can reach anything but {@code /v1/kv/}. Values are bytes, with UTF-8 string conveniences,
 * and at most 512 KiB (Consul's limit, checked before anything is sent).
 *
 * <p>Seed helpers: {@code consul_get(key, dc)} is {@link #get(String, QueryOptions)};
 * {@code consul_set(key, value, cas, acquire, release, dc)} is
 * {@link #set(String, byte[], KvWriteOptions)}; {@code consul_del(key, recurse, dc)} is
 * {@link #delete(String, KvDeleteOptions)}.
 */
public interface KeyValueStore {

    /** The largest value Consul accepts by default: 512 KiB. */
    int MAX_VALUE_BYTES = 512 * 1024;

    /** The entry at {@code key}, or empty when there is none. */
    Optional<KvEntry> get(String key);

    /** The entry at {@code key}, asked with {@code options}, or empty when there is none. */
    Optional<KvEntry> get(String key, QueryOptions options);

    /** The value at {@code key} as UTF-8, or empty when there is no such key. */
    Optional<String> getString(String key);

    /** Every entry whose key starts with {@code prefix}, in key order. */
    List<KvEntry> getAll(String prefix);

    /** Every entry whose key starts with {@code prefix}, asked with {@code options}. */
    List<KvEntry> getAll(String prefix, QueryOptions options);

    /** The keys that start with {@code prefix}, in order, without their values. */
    List<String> keys(String prefix);

    /** The keys that start with {@code prefix}, asked with {@code options}. */
    List<String> keys(String prefix, QueryOptions options);

    /** Writes {@code value} at {@code key}; true when written. */
    boolean set(String key, byte[] value);

    /** Writes {@code value} as UTF-8 at {@code key}; true when written. */
    boolean set(String key, String value);

    /**
     * Writes with check-and-set, lock acquire or release, flags or datacenter. The answer is
     * false when the condition failed: the index did not match, or the lock is held by another
     * session or still in its lock delay.
     */
    boolean set(String key, byte[] value, KvWriteOptions options);

    /** As {@link #set(String, byte[], KvWriteOptions)}, with the value as UTF-8. */
    boolean set(String key, String value, KvWriteOptions options);

    /** Deletes {@code key}; true when Consul accepted it (also when there was no such key). */
    boolean delete(String key);

    /** Deletes a key or, with {@link KvDeleteOptions#recurse()}, a prefix. */
    boolean delete(String key, KvDeleteOptions options);

    /** Calls {@code listener} with the entry at {@code key} now and at every change. */
    Watch watch(String key, WatchListener<Optional<KvEntry>> listener);

    /** Calls {@code listener} with every entry under {@code prefix} now and at every change. */
    Watch watchPrefix(String prefix, WatchListener<List<KvEntry>> listener);
}
