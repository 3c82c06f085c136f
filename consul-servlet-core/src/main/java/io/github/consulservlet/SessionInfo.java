package io.github.consulservlet;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A session as Consul reports it.
 *
 * @param id the session ID
 * @param name its name, empty when it has none
 * @param node the node it belongs to
 * @param checks the health checks that invalidate it (node and service checks)
 * @param lockDelay the lock delay (Consul reports it in nanoseconds)
 * @param behavior what happens to held keys on invalidation
 * @param ttl its TTL, when it has one
 * @param createIndex the index that created it
 * @param modifyIndex the index that last changed it
 */
public record SessionInfo(String id, String name, String node, List<String> checks, Duration lockDelay,
        SessionBehavior behavior, Optional<Duration> ttl, long createIndex, long modifyIndex) {

    /** Copies the check list, so a session info never changes. */
    public SessionInfo {
        checks = List.copyOf(checks);
    }
}
