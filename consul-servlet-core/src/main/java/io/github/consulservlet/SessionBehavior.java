package io.github.consulservlet;

/** What Consul does with the keys a session holds when the session is invalidated. */
public enum SessionBehavior {
    /** The locks are released; the keys stay (Consul's default). */
    RELEASE,
    /** The keys the session holds are deleted. */
    DELETE
}
