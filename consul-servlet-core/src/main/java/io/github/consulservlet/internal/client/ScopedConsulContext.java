package io.github.consulservlet.internal.client;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Discovery;
import io.github.consulservlet.KeyValueStore;
import io.github.consulservlet.Locks;
import io.github.consulservlet.Sessions;
import io.github.consulservlet.internal.client.discovery.HttpDiscovery;
import io.github.consulservlet.internal.client.kv.HttpKeyValueStore;
import io.github.consulservlet.internal.client.lock.HttpLocks;
import io.github.consulservlet.internal.client.session.HttpSessions;

/**
 * A {@link ConsulContext} that shares its {@link ConsulClient} with others but owns its watches:
 * closing it stops them and leaves the client, and every other context, running. The extension
 * makes one per webapp and closes it when the webapp stops.
 */
public final class ScopedConsulContext implements ConsulContext, AutoCloseable {
    private final Scope scope;
    private final Runnable onClose;
    private final Discovery discovery;
    private final KeyValueStore kv;
    private final Sessions sessions;
    private final HttpLocks locks;

    ScopedConsulContext(ClientRuntime runtime, Scope scope, Runnable onClose) {
        this.scope = scope;
        this.onClose = onClose;
        this.discovery = new HttpDiscovery(runtime, scope);
        this.kv = new HttpKeyValueStore(runtime, scope);
        this.sessions = new HttpSessions(runtime, scope);
        this.locks = new HttpLocks(runtime, scope);
        scope.onCloseFirst(locks::closeAll);
    }

    @Override
    public Discovery discovery() {
        return discovery;
    }

    @Override
    public KeyValueStore kv() {
        return kv;
    }

    @Override
    public Sessions sessions() {
        return sessions;
    }

    @Override
    public Locks locks() {
        return locks;
    }

    /**
     * Releases every lock and semaphore slot of this context, stops its leaderships and destroys
     * their sessions, and refuses new ones; {@link #close()} does it too. Idempotent.
     */
    public void releaseLocks() {
        locks.closeAll();
    }

    /** How many of this context's watches are running. */
    public int activeWatches() {
        return scope.watchCount();
    }

    /**
     * Releases this context's locks, stops its watches and destroys the sessions it created (unless created with
     * {@code keepAfterClose}), waiting a moment for the agent to confirm; further watches are
     * refused. Idempotent.
     */
    @Override
    public void close() {
        scope.close();
        onClose.run();
    }
}
