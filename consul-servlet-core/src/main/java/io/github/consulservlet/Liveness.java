package io.github.consulservlet;

import java.util.Objects;

/**
 * What a {@link LivenessProbe} found: up, warning (still serving, but degraded) or down, with a
 * note for Consul's check output. Immutable.
 *
 * <pre>{@code
 * registration.addLivenessProbe("database", () -> pool.isHealthy() ? Liveness.up() : Liveness.down("no connection"));
 * }</pre>
 */
public final class Liveness {
    private static final Liveness UP = new Liveness(Status.UP, "");

    /** The three answers Consul's checks know. */
    public enum Status {
        /** Serving: the check passes. */
        UP,
        /** Serving, degraded: the check warns (the liveness endpoint answers 429, as Consul expects). */
        WARNING,
        /** Not serving: the check is critical (the liveness endpoint answers 503). */
        DOWN
    }

    private final Status status;
    private final String note;

    private Liveness(Status status, String note) {
        this.status = status;
        this.note = note;
    }

    /** Up. */
    public static Liveness up() {
        return UP;
    }

    /** Up but degraded, because of {@code note}. */
    public static Liveness warning(String note) {
        return new Liveness(Status.WARNING, Objects.requireNonNull(note, "note"));
    }

    /** Down, because of {@code note}. */
    public static Liveness down(String note) {
        return new Liveness(Status.DOWN, Objects.requireNonNull(note, "note"));
    }

    /** The status. */
    public Status status() {
        return status;
    }

    /** Why; empty when up. */
    public String note() {
        return note;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Liveness other && status == other.status && note.equals(other.note);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, note);
    }

    @Override
    public String toString() {
        return note.isEmpty() ? status.name() : status + ": " + note;
    }
}
