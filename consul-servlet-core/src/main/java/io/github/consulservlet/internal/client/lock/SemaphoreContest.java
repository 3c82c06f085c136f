package io.github.consulservlet.internal.client.lock;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.LockConflictException;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.internal.client.json.Json;

/**
 * A semaphore under a prefix, step by step as {@code api/semaphore.go}'s {@code Acquire},
 * {@code Release} and {@code monitorLock}: each contender acquires {@code <prefix>/<session>}
 * with its session; {@code <prefix>/.lock} holds {@code {"Limit":N,"Holders":{"<session>":true}}}
 * with {@link GoClientDefaults#SEMAPHORE_FLAG}, written by check-and-set only. Holders whose
 * contender key is gone (their session died) are pruned before counting; a {@code .lock} with
 * other flags, or another limit, is refused as the Go client refuses it.
 */
final class SemaphoreContest implements Contest {
    private final AsyncKv kv;
    private final String prefix;
    private final String lockKey;
    private final int limit;
    private final byte[] value;

    SemaphoreContest(AsyncKv kv, String prefix, int limit, byte[] value) {
        this.kv = kv;
        this.prefix = prefix;
        this.lockKey = prefix + "/" + GoClientDefaults.SEMAPHORE_KEY;
        this.limit = limit;
        this.value = value;
    }

    @Override
    public String defaultSessionName() {
        return GoClientDefaults.SEMAPHORE_SESSION_NAME;
    }

    @Override
    public boolean deletesWithSession() {
        return true; // api/semaphore.go, createSession: Behavior SessionBehaviorDelete, so a dead contender's key goes
    }

    @Override
    public CompletableFuture<Void> enter(String session) {
        return kv.put(contenderKey(session), value, GoClientDefaults.SEMAPHORE_FLAG, "acquire", session).thenApply(made -> {
            if (!made) {
                throw new LockConflictException("failed to make contender entry '" + contenderKey(session) + "'");
            }
            return null;
        });
    }

    private String contenderKey(String session) {
        return prefix + "/" + session;
    }

    /** The holder list as {@code .lock} holds it, and the ModifyIndex to check-and-set against (0: absent). */
    private record Holders(int limit, Set<String> sessions, long modifyIndex) {
    }

    @Override
    public CompletableFuture<Try> attempt(String session, long index, Duration wait) {
        return kv.list(prefix + "/", index, wait, false).thenCompose(read -> {
            Holders lock = decode(read.value(), true);
            if (lock.limit() != limit) {
                throw new LockConflictException("semaphore limit conflict (lock: " + lock.limit() + ", local: " + limit
                        + ") at '" + lockKey + "'");
            }
            Set<String> holders = pruned(lock, read.value());
            if (holders.contains(session)) {
                return confirm(session);
            }
            if (holders.size() >= lock.limit()) {
                return CompletableFuture.completedFuture(new Taken(read.index()));
            }
            holders.add(session);
            return kv.put(lockKey, encode(lock.limit(), holders), GoClientDefaults.SEMAPHORE_FLAG, "cas",
                    Long.toString(lock.modifyIndex()))
                    // a lost check-and-set is a race with another contender: read again at once
                    .thenCompose(set -> set ? confirm(session) : CompletableFuture.completedFuture(new Taken(0)));
        });
    }

    private CompletableFuture<Try> confirm(String session) {
        return kv.list(prefix + "/", 0, Duration.ZERO, true).thenApply(read -> {
            Holders lock = decode(read.value(), false);
            return pruned(lock, read.value()).contains(session) ? new Held(lock.modifyIndex(), read.index()) : new Taken(0);
        });
    }

    @Override
    public CompletableFuture<Look> look(String session, long index, Duration wait) {
        return kv.list(prefix + "/", index, wait, true).thenApply(read -> {
            Holders lock;
            try {
                lock = decode(read.value(), false);
            } catch (ConsulException e) {
                return new Gone(new LockLost(LockLost.Cause.TAKEN_OVER, e.getMessage()));
            }
            if (pruned(lock, read.value()).contains(session)) {
                return new Still(read.index());
            }
            boolean contenderAlive = read.value().stream().anyMatch(e -> e.key().equals(contenderKey(session)));
            if (!contenderAlive) {
                return new Gone(new LockLost(LockLost.Cause.SESSION_INVALIDATED, "the contender key '" + contenderKey(session)
                        + "' is gone: session " + session + " was destroyed or invalidated"));
            }
            if (lock.modifyIndex() == 0) {
                return new Gone(new LockLost(LockLost.Cause.KEY_DELETED, "the holder list '" + lockKey + "' was deleted"));
            }
            return new Gone(new LockLost(LockLost.Cause.TAKEN_OVER, "the holder list '" + lockKey + "' no longer names session " + session));
        });
    }

    @Override
    public CompletableFuture<Void> leave(String session) {
        return kv.get(lockKey, 0, Duration.ZERO, false).thenCompose(read -> {
            Holders lock = decode(read.value().stream().toList(), false);
            if (!lock.sessions().contains(session)) {
                return CompletableFuture.completedFuture(true);
            }
            Set<String> holders = new HashSet<>(lock.sessions());
            holders.remove(session);
            return kv.put(lockKey, encode(lock.limit(), holders), GoClientDefaults.SEMAPHORE_FLAG, "cas",
                    Long.toString(lock.modifyIndex()));
        }).thenCompose(removed -> removed ? kv.delete(contenderKey(session)).thenApply(deleted -> (Void) null)
                : leave(session)); // another writer came between: read again, as Release's "goto READ"
    }

    /** The holder list among {@code pairs}; an absent one is empty, with our limit (findLock, decodeLock). */
    private Holders decode(List<KvEntry> pairs, boolean checkFlags) {
        KvEntry pair = pairs.stream().filter(e -> e.key().equals(lockKey)).findFirst().orElse(null);
        if (pair == null) {
            return new Holders(limit, new HashSet<>(), 0);
        }
        if (checkFlags && pair.flags() != GoClientDefaults.SEMAPHORE_FLAG) {
            throw new LockConflictException("the key '" + lockKey + "' is in use for something else than a semaphore: its flags are "
                    + Long.toUnsignedString(pair.flags()) + ", a semaphore's are " + Long.toUnsignedString(GoClientDefaults.SEMAPHORE_FLAG)
                    + " (HashiCorp's ErrSemaphoreConflict, \"Existing key does not match semaphore use\")");
        }
        if (pair.value().length == 0) {
            return new Holders(limit, new HashSet<>(), pair.modifyIndex());
        }
        try {
            JsonObject json = JsonParser.parseString(pair.valueAsString()).getAsJsonObject();
            Set<String> holders = new HashSet<>();
            JsonElement listed = json.get("Holders");
            if (listed != null && listed.isJsonObject()) {
                for (Map.Entry<String, JsonElement> holder : listed.getAsJsonObject().entrySet()) {
                    holders.add(holder.getKey());
                }
            }
            return new Holders((int) Json.number(json, "Limit"), holders, pair.modifyIndex());
        } catch (RuntimeException e) {
            throw new LockConflictException("lock decoding failed: '" + lockKey + "' does not hold a semaphore's holder list ("
                    + e.getMessage() + ")");
        }
    }

    /** The holders whose session still holds some key under the prefix (pruneDeadHolders). */
    private static Set<String> pruned(Holders lock, List<KvEntry> pairs) {
        Set<String> alive = new HashSet<>();
        for (KvEntry pair : pairs) {
            pair.session().ifPresent(alive::add);
        }
        Set<String> holders = new HashSet<>(lock.sessions());
        holders.retainAll(alive);
        return holders;
    }

    /** {"Limit":N,"Holders":{...}} with the holders in order, as Go's json.Marshal writes a map. */
    private static byte[] encode(int limit, Set<String> holders) {
        JsonObject json = new JsonObject();
        json.addProperty("Limit", limit);
        JsonObject listed = new JsonObject();
        new TreeMap<String, Boolean>(holders.stream().collect(java.util.stream.Collectors.toMap(h -> h, h -> true)))
                .forEach(listed::addProperty);
        json.add("Holders", listed);
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }
}
