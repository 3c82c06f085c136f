package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.consulservlet.ConsulLock;
import io.github.consulservlet.ConsulSemaphore;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.KvWriteOptions;
import io.github.consulservlet.Leadership;
import io.github.consulservlet.LeaderListener;
import io.github.consulservlet.LockConflictException;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.LockOptions;
import io.github.consulservlet.SessionInfo;
import io.github.consulservlet.SessionOptions;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.ScopedConsulContext;

/**
 * Locks, semaphores and leadership on both agents: what they write (the Go client's flags,
 * sessions and holder list), that contenders exclude each other, and that each way of losing a
 * lock is told to its holder. {@link LocksAgentOutageOnBothAgentsTest} has the agent going away.
 */
class LocksOnBothAgentsTest extends OnBothAgents {
    /** api/lock.go LockFlagValue and api/semaphore.go SemaphoreFlagValue. */
    private static final long LOCK_FLAG = 0x2ddccbc058a50c18L;
    private static final long SEMAPHORE_FLAG = 0xe0f69a2baa414de0L;
    /** One blocking round and a margin: a loss is told within it. */
    private static final Duration TOLD = Duration.ofSeconds(10);

    private LockOptions.Builder options() {
        return LockOptions.builder().sessionName(prefix + "lock");
    }

    private KvEntry entry(String key) {
        return consul.kv().get(key).orElseThrow(() -> new AssertionError("no key " + key));
    }

    private static LockLost lostWithin(ConsulLock lock, Duration within) throws Exception {
        return lock.lost().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aHeldLockIsTheGoClientsKeyAndSessionAndReleasingLeavesNeither() throws Exception {
        String key = prefix + "job";
        ConsulLock lock = consul.locks().lock(key, options().value("host-a").build());
        assertTrue(lock.tryAcquire());
        assertTrue(lock.isHeld());
        KvEntry held = entry(key);
        assertEquals(LOCK_FLAG, held.flags(), "api/lock.go's LockFlagValue, as an unsigned 64-bit number");
        assertEquals("host-a", held.valueAsString());
        assertEquals(lock.session(), held.session());
        assertEquals(held.modifyIndex(), lock.fencingIndex());
        SessionInfo session = consul.sessions().info(lock.session().orElseThrow()).orElseThrow();
        assertEquals(prefix + "lock", session.name());
        assertEquals(Optional.of(Duration.ofSeconds(15)), session.ttl(), "DefaultLockSessionTTL");
        assertEquals(Duration.ofSeconds(15), session.lockDelay(), "Consul's default lock delay");

        lock.release();
        assertFalse(lock.isHeld());
        assertEquals(LockLost.Cause.RELEASED, lostWithin(lock, TOLD).cause());
        assertEquals(Optional.empty(), entry(key).session());
        assertEquals(Optional.empty(), consul.sessions().info(session.id()), "its own session is destroyed");
        assertThrows(IllegalStateException.class, () -> {
            assertTrue(lock.tryAcquire());
            lock.tryAcquire();
        }, "a held lock cannot be acquired again (ErrLockHeld)");
        long first = lock.fencingIndex();
        lock.release();
        assertTrue(lock.tryAcquire());
        assertTrue(lock.fencingIndex() > first, "the fencing token grows from one holding to the next");
        lock.release();
    }

    @Test
    void theDefaultSessionIsNamedAsTheGoClientNamesIt() throws Exception {
        ConsulLock lock = consul.locks().lock(prefix + "default");
        assertTrue(lock.acquire(Duration.ofSeconds(5)));
        try {
            assertEquals("Consul API Lock", consul.sessions().info(lock.session().orElseThrow()).orElseThrow().name());
        } finally {
            lock.release();
        }
        ConsulSemaphore semaphore = consul.locks().semaphore(prefix + "default-sem", 1);
        assertTrue(semaphore.acquire(Duration.ofSeconds(5)));
        try {
            SessionInfo session = consul.sessions().info(semaphore.session().orElseThrow()).orElseThrow();
            assertEquals("Consul API Semaphore", session.name());
            assertEquals(io.github.consulservlet.SessionBehavior.DELETE, session.behavior());
        } finally {
            semaphore.release();
        }
    }

    @Test
    void contendersOnSeveralThreadsAndClientsExcludeEachOther() throws Exception {
        String key = prefix + "counter";
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger turns = new AtomicInteger();
        sixThreadsOnThreeClientsTakeTwoTurnsEach(client -> {
            ConsulLock lock = client.locks().lock(key, options().build());
            return () -> {
                assertTrue(lock.acquire(Duration.ofSeconds(60)));
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                turns.incrementAndGet();
                inside.decrementAndGet();
                lock.release();
            };
        });
        assertEquals(12, turns.get());
        assertEquals(1, most.get(), "never two holders at once");
    }

    @Test
    void semaphoreContendersOnSeveralThreadsAndClientsNeverExceedTheLimit() throws Exception {
        String sem = prefix + "slots";
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger turns = new AtomicInteger();
        sixThreadsOnThreeClientsTakeTwoTurnsEach(client -> {
            ConsulSemaphore slot = client.locks().semaphore(sem, 2, options().build());
            return () -> {
                assertTrue(slot.acquire(Duration.ofSeconds(60)));
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                int holders = JsonParser.parseString(entry(sem + "/.lock").valueAsString()).getAsJsonObject()
                        .getAsJsonObject("Holders").size();
                assertTrue(holders <= 2, "the holder list, written by check-and-set only, has " + holders);
                turns.incrementAndGet();
                inside.decrementAndGet();
                slot.release();
            };
        });
        assertEquals(12, turns.get());
        assertTrue(most.get() <= 2, "never more than two holders at once: " + most.get());
    }

    /** One turn of a contender: acquire, look around, release. */
    @FunctionalInterface
    private interface Turn {
        void take() throws Exception;
    }

    /** Six threads, spread over three clients, each with the contender {@code contender} makes, taking two turns. */
    private void sixThreadsOnThreeClientsTakeTwoTurnsEach(Function<ConsulClient, Turn> contender) throws Exception {
        List<ConsulClient> clients = List.of(consul, client(agent), client(agent));
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                ConsulClient client = clients.get(t % clients.size());
                done.add(threads.submit(() -> {
                    Turn turn = contender.apply(client);
                    for (int round = 0; round < 2; round++) {
                        turn.take();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
            clients.subList(1, clients.size()).forEach(ConsulClient::close);
        }
    }

    @Test
    void heldLocksAndWaitingLeadersTakeNoThreadOfTheirOwn() throws Exception {
        ConsulLock first = consul.locks().lock(prefix + "many/0", options().build());
        assertTrue(first.tryAcquire()); // the client's shared threads are running from here on
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        List<ConsulLock> held = new ArrayList<>(List.of(first));
        for (int i = 1; i < 50; i++) {
            ConsulLock lock = consul.locks().lock(prefix + "many/" + i, options().build());
            assertTrue(lock.tryAcquire());
            held.add(lock);
        }
        List<Leadership> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(consul.locks().leadership(prefix + "many/0", options().build(), listener("w" + i, new CopyOnWriteArrayList<>())));
        }
        await().atMost(TOLD).until(() -> consul.sessions().list().stream().filter(s -> s.name().equals(prefix + "lock")).count() == 70);
        // the simulator serves in this JVM, a thread per blocking query: those threads are the agent's, not ours
        List<String> added = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                .map(Thread::getName).filter(name -> !name.startsWith("consul-sim-")).toList();
        waiting.forEach(Leadership::close);
        held.forEach(ConsulLock::release);
        assertTrue(added.size() <= 2, "50 held locks and 20 waiting leaders added the threads " + added);
    }

    @Test
    void tryAcquireAndATimeoutGiveUpWhileAnotherHolds() throws Exception {
        String key = prefix + "busy";
        ConsulLock holder = consul.locks().lock(key, options().build());
        assertTrue(holder.tryAcquire());
        try (ConsulClient other = client(agent)) {
            ConsulLock contender = other.locks().lock(key, options().build());
            assertFalse(contender.tryAcquire());
            long started = System.nanoTime();
            assertFalse(contender.acquire(Duration.ofSeconds(1)));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(Duration.ofMillis(900)) >= 0 && took.compareTo(Duration.ofSeconds(4)) < 0, took.toString());
            assertFalse(contender.isHeld());
            await().atMost(TOLD).until(() -> other.sessions().list().stream()
                    .noneMatch(s -> s.name().equals(prefix + "lock") && !s.id().equals(holder.session().orElseThrow())));

            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return contender.acquire(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            holder.release();
            assertTrue(waiting.get(10, TimeUnit.SECONDS), "a waiter takes the lock within one blocking round of its release");
            assertEquals(contender.session(), entry(key).session());
            contender.release();
        }
    }

    @Test
    void anInterruptedWaiterGivesUpAndHoldsNothing() throws Exception {
        String key = prefix + "interrupted";
        ConsulLock holder = consul.locks().lock(key, options().build());
        assertTrue(holder.tryAcquire());
        ConsulLock waiter = consul.locks().lock(key, options().build());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                waiter.acquireInterruptibly();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        thread.start();
        await().atMost(TOLD).until(() -> consul.sessions().list().stream().filter(s -> s.name().equals(prefix + "lock")).count() == 2);
        thread.interrupt();
        assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
        holder.release();
        assertFalse(waiter.isHeld());
        await().atMost(TOLD).until(() -> consul.sessions().list().stream().noneMatch(s -> s.name().equals(prefix + "lock")));
        assertEquals(Optional.empty(), entry(key).session());
    }

    @Test
    void aKeyInUseForSomethingElseIsRefused() {
        consul.kv().set(prefix + "plain", "not a lock");
        assertThrows(LockConflictException.class, () -> consul.locks().lock(prefix + "plain", options().build()).tryAcquire());

        ConsulLock lock = consul.locks().lock(prefix + "sem/.lock", options().build());
        assertTrue(lock.tryAcquire());
        assertThrows(LockConflictException.class, () -> consul.locks().semaphore(prefix + "sem", 2, options().build()).tryAcquire(),
                "a lock where a semaphore keeps its holders: ErrSemaphoreConflict");
        lock.release();

        ConsulSemaphore two = consul.locks().semaphore(prefix + "two", 2, options().build());
        assertTrue(two.tryAcquire());
        LockConflictException limit = assertThrows(LockConflictException.class,
                () -> consul.locks().semaphore(prefix + "two", 3, options().build()).tryAcquire());
        assertTrue(limit.getMessage().contains("semaphore limit conflict (lock: 2, local: 3)"), limit.getMessage());
        assertThrows(LockConflictException.class, () -> consul.locks().lock(prefix + "two/.lock", options().build()).tryAcquire(),
                "a semaphore's holder list where a lock is asked: ErrLockConflict");
        two.release();
    }

    @Test
    void aSemaphoreAdmitsItsLimitAndWritesTheGoClientsHolderList() throws Exception {
        String sem = prefix + "pool";
        List<ConsulSemaphore> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(consul.locks().semaphore(sem, 2, options().value("c" + i).build()));
        }
        assertTrue(all.get(0).tryAcquire());
        assertTrue(all.get(1).acquire(Duration.ofSeconds(5)));
        assertFalse(all.get(2).tryAcquire(), "two slots, both taken");

        KvEntry lock = entry(sem + "/.lock");
        assertEquals(SEMAPHORE_FLAG, lock.flags());
        JsonObject holders = JsonParser.parseString(lock.valueAsString()).getAsJsonObject();
        assertEquals(2, holders.get("Limit").getAsInt());
        assertEquals(Set.of(all.get(0).session().orElseThrow(), all.get(1).session().orElseThrow()),
                holders.getAsJsonObject("Holders").keySet());
        assertTrue(holders.getAsJsonObject("Holders").get(all.get(0).session().orElseThrow()).getAsBoolean());
        KvEntry contender = entry(sem + "/" + all.get(0).session().orElseThrow());
        assertEquals(SEMAPHORE_FLAG, contender.flags());
        assertEquals(all.get(0).session(), contender.session());
        assertEquals("c0", contender.valueAsString());

        CompletableFuture<Boolean> third = CompletableFuture.supplyAsync(() -> {
            try {
                return all.get(2).acquire(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // a holder that dies (its session destroyed: its contender key goes) is pruned, and frees its slot
        consul.sessions().destroy(all.get(0).session().orElseThrow());
        assertEquals(LockLost.Cause.SESSION_INVALIDATED, lostWithin(all.get(0), TOLD).cause());
        assertTrue(third.get(15, TimeUnit.SECONDS));
        assertEquals(Set.of(all.get(1).session().orElseThrow(), all.get(2).session().orElseThrow()),
                JsonParser.parseString(entry(sem + "/.lock").valueAsString()).getAsJsonObject().getAsJsonObject("Holders").keySet());

        all.get(1).release();
        assertFalse(consul.kv().get(sem + "/" + all.get(1).session().orElseThrow()).isPresent(), "release deletes the contender key");
        assertEquals(Set.of(all.get(2).session().orElseThrow()),
                JsonParser.parseString(entry(sem + "/.lock").valueAsString()).getAsJsonObject().getAsJsonObject("Holders").keySet());
        all.get(2).release();
    }

    @Test
    void aDestroyedSessionIsALostLock() throws Exception {
        ConsulLock lock = consul.locks().lock(prefix + "destroyed", options().build());
        assertTrue(lock.tryAcquire());
        consul.sessions().destroy(lock.session().orElseThrow());
        LockLost lost = lostWithin(lock, TOLD);
        assertEquals(LockLost.Cause.SESSION_INVALIDATED, lost.cause(), lost.toString());
        assertFalse(lock.isHeld());
    }

    @Test
    void aDeletedKeyIsALostLock() throws Exception {
        ConsulLock lock = consul.locks().lock(prefix + "deleted", options().build());
        assertTrue(lock.tryAcquire());
        consul.kv().delete(prefix + "deleted");
        assertEquals(LockLost.Cause.KEY_DELETED, lostWithin(lock, TOLD).cause());
        assertFalse(lock.isHeld());
        await().atMost(TOLD).until(() -> consul.sessions().info(lock.session().orElseThrow()).isEmpty());
    }

    @Test
    void aKeyTakenByAnotherSessionIsALostLock() throws Exception {
        String key = prefix + "taken";
        ConsulLock lock = consul.locks().lock(key, options().build());
        assertTrue(lock.tryAcquire());
        String ours = lock.session().orElseThrow();
        String other = consul.sessions().create(SessionOptions.builder().name(prefix + "other").lockDelay(Duration.ZERO).build());
        // an operator frees the key from under us and gives it to another session
        assertTrue(consul.kv().set(key, "theirs", KvWriteOptions.release(ours)));
        assertTrue(consul.kv().set(key, "theirs", KvWriteOptions.acquire(other)));
        LockLost lost = lostWithin(lock, TOLD);
        assertTrue(Set.of(LockLost.Cause.TAKEN_OVER, LockLost.Cause.SESSION_INVALIDATED).contains(lost.cause()), lost.toString());
        assertEquals(Optional.of(other), entry(key).session(), "ours let go of nothing it no longer held");
    }

    @Test
    void aLockFreedByAnInvalidatedSessionIsTakenNoSoonerThanItsLockDelay() throws Exception {
        String key = prefix + "delayed";
        Duration lockDelay = Duration.ofSeconds(2);
        ConsulLock first = consul.locks().lock(key, options().lockDelay(lockDelay).build());
        assertTrue(first.tryAcquire());
        ConsulLock next = consul.locks().lock(key, options().build());
        consul.sessions().destroy(first.session().orElseThrow());
        long destroyed = System.nanoTime();
        assertTrue(next.acquire(Duration.ofSeconds(20)));
        Duration after = Duration.ofNanos(System.nanoTime() - destroyed);
        assertTrue(after.compareTo(lockDelay) >= 0, "taken " + after + " after the destroy");
        assertTrue(after.compareTo(Duration.ofSeconds(10)) < 0, "and within the Go client's retry time of 5s after it: " + after);
        next.release();
    }

    @Test
    void aCallersSessionIsUsedAsItIsAndItsTtlExpiryIsALostLock() throws Exception {
        String session = consul.sessions().create(SessionOptions.builder().name(prefix + "callers")
                .ttl(Duration.ofSeconds(10)).lockDelay(Duration.ZERO).build());
        ConsulLock lock = consul.locks().lock(prefix + "ttl", LockOptions.builder().session(session).build());
        assertTrue(lock.tryAcquire());
        assertEquals(Optional.of(session), lock.session());
        // nobody renews the caller's session: Consul invalidates it between one and two TTLs
        LockLost lost = lostWithin(lock, Duration.ofSeconds(40));
        assertEquals(LockLost.Cause.SESSION_INVALIDATED, lost.cause(), lost.toString());
    }

    @Test
    void anOwnSessionIsRenewedBeyondItsTtl() throws Exception {
        ConsulLock lock = consul.locks().lock(prefix + "renewed", options().sessionTtl(Duration.ofSeconds(10)).build());
        assertTrue(lock.tryAcquire());
        long started = System.nanoTime();
        // past two TTLs, when Consul would have invalidated a session nobody renewed
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> System.nanoTime() - started > TimeUnit.SECONDS.toNanos(21));
        assertTrue(lock.isHeld());
        assertEquals(lock.session(), entry(prefix + "renewed").session());
        lock.release();
    }

    @Test
    void closingTheContextReleasesItsLocksAndDestroysTheirSessions() throws Exception {
        ScopedConsulContext context = consul.newContext();
        ConsulLock lock = context.locks().lock(prefix + "ctx", options().build());
        ConsulSemaphore semaphore = context.locks().semaphore(prefix + "ctx-sem", 2, options().build());
        assertTrue(lock.tryAcquire());
        assertTrue(semaphore.tryAcquire());
        String lockSession = lock.session().orElseThrow();
        String slotSession = semaphore.session().orElseThrow();
        context.close();
        assertEquals(LockLost.Cause.RELEASED, lostWithin(lock, TOLD).cause());
        assertEquals(Optional.empty(), entry(prefix + "ctx").session());
        assertEquals(Optional.empty(), consul.sessions().info(lockSession));
        assertEquals(Optional.empty(), consul.sessions().info(slotSession));
        assertFalse(consul.kv().get(prefix + "ctx-sem/" + slotSession).isPresent());
        assertThrows(IllegalStateException.class, () -> context.locks().lock(prefix + "later"));
    }

    @Test
    void leadershipPassesToTheOtherContenderWhenTheLeaderStops() throws Exception {
        String key = prefix + "leader";
        List<String> heard = new CopyOnWriteArrayList<>();
        try (ConsulClient other = client(agent)) {
            Leadership a = consul.locks().leadership(key, options().build(), listener("a", heard));
            await().atMost(TOLD).until(a::isLeader);
            Leadership b = other.locks().leadership(key, options().lockDelay(Duration.ZERO).build(), listener("b", heard));
            assertFalse(b.isLeader());
            a.close();
            await().atMost(TOLD).until(b::isLeader);
            await().atMost(TOLD).until(() -> heard.equals(List.of("a elected", "a revoked RELEASED", "b elected")));
            // a leader that loses its session steps down, and contends again
            String bSession = entry(key).session().orElseThrow();
            other.sessions().destroy(bSession);
            await().atMost(TOLD).until(() -> heard.size() == 5);
            assertEquals(List.of("b revoked SESSION_INVALIDATED", "b elected"), heard.subList(3, 5));
            await().atMost(TOLD).until(b::isLeader);
            b.close();
            assertFalse(b.isLeader());
            await().atMost(TOLD).until(() -> heard.size() == 6);
            assertEquals("b revoked RELEASED", heard.get(5));
        }
    }

    private static LeaderListener listener(String name, List<String> heard) {
        return new LeaderListener() {
            @Override
            public void elected(ConsulLock lock) {
                heard.add(name + " elected");
            }

            @Override
            public void revoked(LockLost why) {
                heard.add(name + " revoked " + why.cause());
            }
        };
    }
}
