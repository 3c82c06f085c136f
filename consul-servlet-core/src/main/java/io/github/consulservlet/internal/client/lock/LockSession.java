package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.google.gson.JsonObject;

import io.github.consulservlet.LockLost;
import io.github.consulservlet.internal.client.Scope;
import io.github.consulservlet.internal.client.json.GoDuration;
import io.github.consulservlet.internal.client.json.Json;
import io.github.consulservlet.internal.client.transport.Request;
import io.github.consulservlet.internal.client.transport.Response;

/**
 * The session one acquisition of a lock holds it with. A session of its own is created as
 * the Go client's {@code createSession} does (a name, a TTL, the lock delay when one is set; a
 * semaphore's with {@code Behavior: delete}), renewed as {@code api/session.go}'s
 * {@code RenewPeriodic} does (every half TTL, the TTL the server answers taken up; a failed
 * renewal retried every second until a whole TTL has passed since the last good one) and
 * destroyed when the lock is let go. A caller's session is used as it is: neither renewed nor
 * destroyed. Renewal runs on the client's scheduler; {@code onEnd} hears once if the session
 * is found gone or cannot be renewed within its TTL.
 */
final class LockSession {
    private final AsyncKv kv;
    private final Scope scope;
    private final String callersSession;
    private final JsonObject definition;
    private final Duration initialTtl;
    private volatile String id;
    private volatile boolean closed;
    private volatile Future<?> pending;
    private Consumer<LockLost> onEnd = lost -> { }; // guarded by this, as is ended
    private LockLost ended;
    private Duration ttl;
    private long lastRenewedNanos;

    private LockSession(AsyncKv kv, Scope scope, String callersSession, JsonObject definition, Duration ttl) {
        this.kv = kv;
        this.scope = scope;
        this.callersSession = callersSession;
        this.definition = definition;
        this.initialTtl = ttl;
        this.id = callersSession;
    }

    static LockSession callers(AsyncKv kv, Scope scope, String id) {
        return new LockSession(kv, scope, id, null, null);
    }

    static LockSession own(AsyncKv kv, Scope scope, String name, Duration ttl, Duration lockDelay, boolean deleteBehavior) {
        JsonObject body = new JsonObject();
        body.addProperty("Name", name);
        body.addProperty("TTL", GoDuration.format(ttl));
        if (lockDelay != null) {
            body.addProperty("LockDelay", GoDuration.format(lockDelay));
        }
        if (deleteBehavior) {
            body.addProperty("Behavior", "delete");
        }
        return new LockSession(kv, scope, null, body, ttl);
    }

    /** The session's ID once opened. */
    String id() {
        return id;
    }

    boolean isOwn() {
        return callersSession == null;
    }

    /** Creates the session if it is our own, and starts renewing it; answers its ID. */
    CompletableFuture<String> open(Consumer<LockLost> onEnd) {
        onEnd(onEnd);
        if (!isOwn()) {
            return CompletableFuture.completedFuture(callersSession);
        }
        Request create = kv.runtime.datacenter(Request.put("/v1/session/create", null), null).json(Json.write(definition));
        return kv.send(create).thenApply(response -> {
            String created = Json.string(Json.object(response.requireSuccess()), "ID");
            if (created.isEmpty()) {
                throw response.malformed("a session ID", null);
            }
            id = created;
            scope.ownSession(created, null); // destroyed with the context, should the lock fail to
            ttl = initialTtl;
            lastRenewedNanos = System.nanoTime();
            if (closed) {
                destroy();
            } else {
                renewIn(ttl.dividedBy(GoClientDefaults.RENEWALS_PER_TTL));
            }
            return created;
        });
    }

    private void renewIn(Duration delay) {
        try {
            pending = kv.runtime.scheduler.schedule(this::renew, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing
        }
    }

    private void renew() {
        if (closed) {
            return;
        }
        Request renew = kv.runtime.datacenter(Request.put("/v1/session/renew", id), null);
        pending = kv.send(renew).whenComplete((response, error) -> renewed(response, error));
    }

    private void renewed(Response response, Throwable error) {
        if (closed) {
            return;
        }
        if (error == null && response.isNotFound()) {
            end(new LockLost(LockLost.Cause.SESSION_INVALIDATED, "session " + id + " is gone: destroyed, or invalidated"));
            return;
        }
        if (error == null && response.status == 200) {
            ttl = answeredTtl(response);
            lastRenewedNanos = System.nanoTime();
            renewIn(ttl.dividedBy(GoClientDefaults.RENEWALS_PER_TTL));
            return;
        }
        String why = error != null ? String.valueOf(error.getMessage()) : "HTTP " + response.status + " " + response.text();
        Duration sinceRenewed = Duration.ofNanos(System.nanoTime() - lastRenewedNanos);
        if (sinceRenewed.plus(GoClientDefaults.RENEW_RETRY_TIME).compareTo(ttl) > 0) {
            end(new LockLost(LockLost.Cause.AGENT_UNREACHABLE, "session " + id + " could not be renewed for its whole TTL of "
                    + ttl.toSeconds() + "s: " + why));
        } else {
            renewIn(GoClientDefaults.RENEW_RETRY_TIME);
        }
    }

    /** The TTL the server answers, which it may have changed; ours when it answers none. */
    private Duration answeredTtl(Response response) {
        try {
            String answered = Json.string(Json.objects(response).get(0), "TTL");
            Duration parsed = answered.isEmpty() ? ttl : GoDuration.parse(answered);
            return parsed.isZero() ? ttl : parsed;
        } catch (RuntimeException e) {
            return ttl;
        }
    }

    /** Who hears that the session ended from now on; told at once if it already has. */
    void onEnd(Consumer<LockLost> listener) {
        LockLost already;
        synchronized (this) {
            onEnd = listener;
            already = ended;
        }
        if (already != null) {
            listener.accept(already);
        }
    }

    private void end(LockLost lost) {
        closed = true;
        scope.disownSession(id);
        Consumer<LockLost> listener;
        synchronized (this) {
            ended = lost;
            listener = onEnd;
        }
        listener.accept(lost);
    }

    /** Stops renewing and destroys our own session; the caller's is left alone. Idempotent. */
    CompletableFuture<Void> close() {
        closed = true;
        Future<?> step = pending;
        if (step != null) {
            step.cancel(false);
        }
        if (!isOwn() || id == null) {
            return CompletableFuture.completedFuture(null);
        }
        return destroy();
    }

    private CompletableFuture<Void> destroy() {
        String destroyed = id;
        return kv.send(kv.runtime.datacenter(Request.put("/v1/session/destroy", destroyed), null))
                .handle((response, error) -> {
                    if (error == null && response.status == 200) {
                        scope.disownSession(destroyed);
                    }
                    return null;
                });
    }
}
