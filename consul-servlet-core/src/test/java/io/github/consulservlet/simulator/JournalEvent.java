package io.github.consulservlet.simulator;

import java.time.Instant;

/**
 * One thing that happened in a {@link ConsulSimulator}, for tests to assert on order and timing
 * ("the service was deregistered before the webapp's servlets were destroyed").
 *
 * @param at when it happened
 * @param index the simulator's Raft index after it; 0 for events that change no state (a probe)
 * @param kind what happened
 * @param subject what it happened to: a service ID, check ID, KV key or session ID
 * @param detail the rest, for a human: a status and output, a service name, a reason
 */
public record JournalEvent(Instant at, long index, Kind kind, String subject, String detail) {

    /** What happened. */
    public enum Kind {
        /** A service was registered or registered again (subject: service ID, detail: name and port). */
        SERVICE_REGISTERED,
        /** A service was deregistered through the API (subject: service ID). */
        SERVICE_DEREGISTERED,
        /** A service was deregistered by {@code DeregisterCriticalServiceAfter} (subject: service ID). */
        SERVICE_REAPED,
        /** Maintenance mode was turned on (subject: service ID, detail: the reason). */
        MAINTENANCE_ENABLED,
        /** Maintenance mode was turned off (subject: service ID). */
        MAINTENANCE_DISABLED,
        /** A check's status changed (subject: check ID, detail: new status and output). */
        CHECK_STATUS,
        /** The simulator probed an HTTP check (subject: check ID, detail: the check's output). */
        CHECK_PROBED,
        /** A TTL check was updated through the API (subject: check ID, detail: status and note). */
        CHECK_UPDATED,
        /** A KV entry was written (subject: key). */
        KV_SET,
        /** A KV entry was deleted, by the API or by a session's delete behavior (subject: key). */
        KV_DELETED,
        /** A lock was acquired (subject: key, detail: session ID). */
        LOCK_ACQUIRED,
        /** A lock was released by its session (subject: key, detail: session ID). */
        LOCK_RELEASED,
        /** A session was created (subject: session ID). */
        SESSION_CREATED,
        /** A session was destroyed through the API (subject: session ID). */
        SESSION_DESTROYED,
        /** A session was invalidated by its TTL or a critical check (subject: session ID, detail: why). */
        SESSION_INVALIDATED,
        /** The agent forgot its services and checks, as one restarted without its data dir does. */
        AGENT_FORGOT
    }
}
