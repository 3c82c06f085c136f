package io.github.consulservlet.internal.client.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.LockConflictException;
import io.github.consulservlet.LockLost;

/**
 * A lock on one key, step by step as {@code api/lock.go}'s {@code Lock} and {@code monitorLock}:
 * a key whose flags are not {@link GoClientDefaults#LOCK_FLAG} is refused (ErrLockConflict); a
 * key held by another session is waited on with a blocking query; a free key is acquired with
 * the lock's value and flags, and an acquire refused on a free key means a lock delay, retried
 * after the retry time. A held lock is watched with consistent blocking reads until the key no
 * longer names our session.
 */
final class KeyContest implements Contest {
    private final AsyncKv kv;
    private final String key;
    private final byte[] value;

    KeyContest(AsyncKv kv, String key, byte[] value) {
        this.kv = kv;
        this.key = key;
        this.value = value;
    }

    @Override
    public String defaultSessionName() {
        return GoClientDefaults.LOCK_SESSION_NAME;
    }

    @Override
    public boolean deletesWithSession() {
        return false;
    }

    @Override
    public CompletableFuture<Void> enter(String session) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Try> attempt(String session, long index, Duration wait) {
        return kv.get(key, index, wait, false).thenCompose(read -> {
            Optional<KvEntry> pair = read.value();
            if (pair.isPresent()) {
                checkFlags(pair.get());
                String holder = pair.get().session().orElse("");
                if (holder.equals(session)) {
                    return confirm(session);
                }
                if (!holder.isEmpty()) {
                    return CompletableFuture.completedFuture(new Taken(read.index()));
                }
            }
            return kv.put(key, value, GoClientDefaults.LOCK_FLAG, "acquire", session).thenCompose(locked -> {
                if (locked) {
                    return confirm(session);
                }
                // Why was it refused? Taken meanwhile (wait for it), or free within a lock delay (retry later).
                return kv.get(key, 0, wait, false).thenApply(again -> again.value().flatMap(KvEntry::session).isPresent()
                        ? new Taken(again.index()) : new Refused());
            });
        });
    }

    private void checkFlags(KvEntry pair) {
        if (pair.flags() != GoClientDefaults.LOCK_FLAG) {
            throw new LockConflictException("the key '" + key + "' is in use for something else than a lock: its flags are "
                    + Long.toUnsignedString(pair.flags()) + ", a lock's are " + Long.toUnsignedString(GoClientDefaults.LOCK_FLAG)
                    + " (HashiCorp's ErrLockConflict, \"Existing key does not match lock use\")");
        }
    }

    /** A consistent read that shows our session holding the key; its ModifyIndex is the fencing token. */
    private CompletableFuture<Try> confirm(String session) {
        return kv.get(key, 0, Duration.ZERO, true).thenApply(read -> {
            Optional<KvEntry> pair = read.value();
            if (pair.isPresent() && pair.get().session().orElse("").equals(session)) {
                return new Held(pair.get().modifyIndex(), read.index());
            }
            return new Taken(0);
        });
    }

    @Override
    public CompletableFuture<Look> look(String session, long index, Duration wait) {
        return kv.get(key, index, wait, true).thenApply(read -> {
            Optional<KvEntry> pair = read.value();
            if (pair.isEmpty()) {
                return new Gone(new LockLost(LockLost.Cause.KEY_DELETED, "the key '" + key + "' was deleted"));
            }
            String holder = pair.get().session().orElse("");
            if (holder.equals(session)) {
                return new Still(read.index());
            }
            if (holder.isEmpty()) {
                return new Gone(new LockLost(LockLost.Cause.SESSION_INVALIDATED, "the key '" + key
                        + "' was released: session " + session + " was destroyed or invalidated"));
            }
            return new Gone(new LockLost(LockLost.Cause.TAKEN_OVER, "the key '" + key + "' is held by session " + holder));
        });
    }

    @Override
    public CompletableFuture<Void> leave(String session) {
        return kv.put(key, value, GoClientDefaults.LOCK_FLAG, "release", session).thenApply(released -> null);
    }
}
