package io.github.consulservlet.internal.client.lock;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.consulservlet.ConsulLock;
import io.github.consulservlet.ConsulSemaphore;
import io.github.consulservlet.Leadership;
import io.github.consulservlet.LeaderListener;
import io.github.consulservlet.LockOptions;
import io.github.consulservlet.Locks;
import io.github.consulservlet.internal.client.ClientRuntime;
import io.github.consulservlet.internal.client.Scope;

/**
 * {@link Locks} of one context. It keeps the locks that are being acquired or are held, and the
 * running leaderships, so that {@link #closeAll()} (the context closing, before the webapp
 * deregisters) releases them and destroys their sessions; a lock that is neither is forgotten.
 */
public final class HttpLocks implements Locks {
    private final AsyncKv kv;
    private final Scope scope;
    private final Set<SessionLock> busy = ConcurrentHashMap.newKeySet();
    private final Set<LeaderElection> elections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public HttpLocks(ClientRuntime runtime, Scope scope) {
        this.kv = new AsyncKv(runtime);
        this.scope = scope;
    }

    @Override
    public ConsulLock lock(String key) {
        return lock(key, LockOptions.DEFAULT);
    }

    @Override
    public ConsulLock lock(String key, LockOptions options) {
        String path = key(key, "lock key");
        return newLock(path, 1, new KeyContest(kv, path, options.value()), options);
    }

    @Override
    public ConsulSemaphore semaphore(String prefix, int limit) {
        return semaphore(prefix, limit, LockOptions.DEFAULT);
    }

    @Override
    public ConsulSemaphore semaphore(String prefix, int limit, LockOptions options) {
        if (limit < 1) {
            throw new IllegalArgumentException("semaphore limit must be positive, was " + limit);
        }
        String path = key(prefix, "semaphore prefix");
        return newLock(path, limit, new SemaphoreContest(kv, path, limit, options.value()), options);
    }

    @Override
    public Leadership leadership(String key, LeaderListener leader) {
        return leadership(key, LockOptions.DEFAULT, leader);
    }

    @Override
    public Leadership leadership(String key, LockOptions options, LeaderListener leader) {
        Objects.requireNonNull(leader, "leader");
        SessionLock lock = (SessionLock) lock(key, options);
        LeaderElection election = new LeaderElection(lock, leader, kv.runtime, scope, elections::remove);
        elections.add(election);
        if (closed) {
            election.close();
            throw new IllegalStateException("cannot contend for leadership: the ConsulContext is closed");
        }
        election.start();
        return election;
    }

    private SessionLock newLock(String key, int limit, Contest contest, LockOptions options) {
        if (closed) {
            throw new IllegalStateException("cannot make a lock: the ConsulContext is closed");
        }
        return new SessionLock(kv, key, limit, contest, () -> session(contest, options),
                options.waitTime().orElse(GoClientDefaults.WAIT_TIME),
                options.monitorRetries().orElse(GoClientDefaults.MONITOR_RETRIES),
                options.monitorRetryTime().orElse(GoClientDefaults.MONITOR_RETRY_TIME), this::busy, busy::remove);
    }

    private void busy(SessionLock lock) {
        busy.add(lock);
        if (closed) {
            lock.closeForGood();
        }
    }

    private LockSession session(Contest contest, LockOptions options) {
        if (options.session().isPresent()) {
            return LockSession.callers(kv, scope, options.session().get());
        }
        return LockSession.own(kv, scope, options.sessionName().orElse(contest.defaultSessionName()),
                options.sessionTtl().orElse(GoClientDefaults.SESSION_TTL), options.lockDelay().orElse(null),
                contest.deletesWithSession());
    }

    /** Stops every leadership, releases every lock and destroys their sessions; refuses new ones. Idempotent. */
    public void closeAll() {
        closed = true;
        for (LeaderElection election : List.copyOf(elections)) {
            election.close();
        }
        for (SessionLock lock : List.copyOf(busy)) {
            lock.closeForGood();
        }
    }

    /** A key as Consul's clients send it: no leading or trailing {@code /} (path.Join in Go). */
    private static String key(String key, String what) {
        Objects.requireNonNull(key, what);
        String trimmed = key.replaceAll("^/+", "").replaceAll("/+$", "");
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("a " + what + " must not be empty");
        }
        if (trimmed.contains("//")) {
            throw new IllegalArgumentException("the " + what + " '" + key + "' has an empty segment ('//'), which Consul's"
                    + " HTTP API cannot address");
        }
        return trimmed;
    }
}
