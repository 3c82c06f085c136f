package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.KvWriteOptions;
import io.github.consulservlet.SessionBehavior;
import io.github.consulservlet.SessionInfo;
import io.github.consulservlet.SessionOptions;
import io.github.consulservlet.Sessions;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;

/** Sessions through the client, on both agents: what they are made of, their life, and what they do to locks. */
class SessionsOnBothAgentsTest extends OnBothAgents {

    private Sessions sessions() {
        return consul.sessions();
    }

    private SessionOptions.Builder named(String name) {
        return SessionOptions.builder().name(prefix + name);
    }

    private SessionInfo info(String id) {
        return sessions().info(id).orElseThrow(() -> new AssertionError("no session " + id));
    }

    private KvEntry entry(String key) {
        return consul.kv().get(key).orElseThrow(() -> new AssertionError("no key " + key));
    }

    @Test
    void aSessionCreatedWithDefaultsHasConsulsDefaults() {
        String id = sessions().create();
        SessionInfo session = info(id);
        assertEquals(id, session.id());
        assertEquals("", session.name());
        assertEquals(agent.nodeName(), session.node());
        assertEquals(List.of("serfHealth"), session.checks(), "the node's serf check, as Consul adds by default");
        assertEquals(Duration.ofSeconds(15), session.lockDelay());
        assertEquals(SessionBehavior.RELEASE, session.behavior());
        assertEquals(Optional.empty(), session.ttl());
        assertTrue(session.createIndex() > 0);
        assertEquals(session.createIndex(), session.modifyIndex());
    }

    @Test
    void aSessionReadsBackWhatItWasCreatedWith() {
        String id = sessions().create(named("full").ttl(Duration.ofSeconds(30)).behavior(SessionBehavior.DELETE)
                .lockDelay(Duration.ofMillis(1500)).checks(List.of()).build());
        SessionInfo session = info(id);
        assertEquals(prefix + "full", session.name());
        assertEquals(Optional.of(Duration.ofSeconds(30)), session.ttl());
        assertEquals(SessionBehavior.DELETE, session.behavior());
        assertEquals(Duration.ofMillis(1500), session.lockDelay(), "sent as \"1.5s\", read back in nanoseconds");
        assertEquals(List.of(), session.checks(), "an empty list means no checks at all");

        String released = sessions().create(named("release").behavior(SessionBehavior.RELEASE)
                .checks(List.of("serfHealth")).lockDelay(Duration.ZERO).build());
        assertEquals(SessionBehavior.RELEASE, info(released).behavior());
        assertEquals(List.of("serfHealth"), info(released).checks());
        assertEquals(Duration.ZERO, info(released).lockDelay());
    }

    // A real agent writes the registration to the catalog, where sessions look checks up, a moment later.
    @Test
    void aSessionOnAServiceCheckKeepsItsChecksAndIsInvalidatedWhenTheCheckFails() {
        String serviceId = agent.unique("guarded");
        register(ServiceRegistration.builder(serviceId).port(1)
                .check(CheckDefinition.ttl(Duration.ofMinutes(5)).status(CheckStatus.PASSING).build()).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.discovery().service(serviceId).size() == 1);
        String id = sessions().create(named("on-service").checks(List.of("serfHealth", "service:" + serviceId))
                .lockDelay(Duration.ZERO).build());
        assertEquals(List.of("serfHealth", "service:" + serviceId), info(id).checks());
        assertTrue(consul.kv().set(prefix + "guarded", "v", KvWriteOptions.acquire(id)));

        consul.agent().failCheck("service:" + serviceId, "down");
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions().info(id).isEmpty());
        assertEquals(Optional.empty(), entry(prefix + "guarded").session());
    }

    @Test
    void infoOfAnUnknownOrDestroyedSessionIsEmpty() {
        assertEquals(Optional.empty(), sessions().info(UUID.randomUUID().toString()));
        String id = sessions().create(named("short-lived").build());
        assertTrue(sessions().info(id).isPresent());
        sessions().destroy(id);
        assertEquals(Optional.empty(), sessions().info(id));
        sessions().destroy(id); // destroying it again is no error
        assertEquals(Optional.empty(), sessions().info(id));
    }

    @Test
    void theSessionsOfTheAgentsNodeAndOfTheDatacenterIncludeANewOne() {
        String first = sessions().create(named("first").build());
        String second = sessions().create(named("second").build());
        List<SessionInfo> ofNode = sessions().node(agent.nodeName());
        assertTrue(ofNode.stream().allMatch(s -> s.node().equals(agent.nodeName())), ofNode.toString());
        assertEquals(List.of(first, second), ours(ofNode));
        assertEquals(List.of(first, second), ours(sessions().list()));
        assertEquals(List.of(), sessions().node("no-such-node"));

        sessions().destroy(first);
        assertEquals(List.of(second), ours(sessions().list()));
    }

    /** Our sessions among {@code all}, in creation order. */
    private List<String> ours(List<SessionInfo> all) {
        return all.stream().filter(s -> s.name().startsWith(prefix)).sorted(java.util.Comparator.comparingLong(SessionInfo::createIndex))
                .map(SessionInfo::id).toList();
    }

    @Test
    void renewAnswersALiveSessionAndNothingOnceItIsDestroyed() {
        String id = sessions().create(named("renewed").ttl(Duration.ofSeconds(10)).build());
        SessionInfo renewed = sessions().renew(id).orElseThrow();
        assertEquals(id, renewed.id());
        assertEquals(Optional.of(Duration.ofSeconds(10)), renewed.ttl());
        assertEquals(info(id), renewed);

        sessions().destroy(id);
        assertEquals(Optional.empty(), sessions().renew(id));
    }

    @Test
    void destroyingAReleaseSessionLeavesItsKeysWithoutASession() {
        String key = prefix + "released";
        String id = sessions().create(named("release").behavior(SessionBehavior.RELEASE).lockDelay(Duration.ZERO).build());
        assertTrue(consul.kv().set(key, "held", KvWriteOptions.acquire(id)));
        long held = entry(key).modifyIndex();

        sessions().destroy(id);
        KvEntry after = entry(key);
        assertEquals(Optional.empty(), after.session());
        assertEquals("held", after.valueAsString());
        assertEquals(1, after.lockIndex());
        assertTrue(after.modifyIndex() > held, "the release is a write");
    }

    @Test
    void destroyingADeleteSessionDeletesItsKeys() {
        String id = sessions().create(named("delete").behavior(SessionBehavior.DELETE).lockDelay(Duration.ZERO).build());
        assertTrue(consul.kv().set(prefix + "held", "v", KvWriteOptions.acquire(id)));
        consul.kv().set(prefix + "not-held", "v");

        sessions().destroy(id);
        assertEquals(Optional.empty(), consul.kv().get(prefix + "held"));
        assertEquals(List.of(prefix + "not-held"), consul.kv().keys(prefix));
    }

    @Test
    void aLockFreedByADestroyedSessionCannotBeTakenUntilItsLockDelayHasPassed() {
        String key = prefix + "delayed";
        Duration lockDelay = Duration.ofSeconds(2);
        String holder = sessions().create(named("holder").lockDelay(lockDelay).build());
        String next = sessions().create(named("next").lockDelay(Duration.ZERO).build());
        assertTrue(consul.kv().set(key, "holder", KvWriteOptions.acquire(holder)));

        long destroyed = System.nanoTime();
        sessions().destroy(holder);
        assertFalse(consul.kv().set(key, "next", KvWriteOptions.acquire(next)), "refused within the lock delay");
        assertEquals("holder", consul.kv().getString(key).orElseThrow(), "and nothing written");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> consul.kv().set(key, "next", KvWriteOptions.acquire(next)));
        assertTrue(Duration.ofNanos(System.nanoTime() - destroyed).compareTo(lockDelay) >= 0,
                "taken no sooner than the lock delay after the destroy");
        assertEquals(Optional.of(next), entry(key).session());
        assertEquals(2, entry(key).lockIndex());
    }

    // The one slow test: Consul's shortest TTL is 10s, and it invalidates a session between TTL and
    // twice the TTL after its last renewal.
    @Test
    void aTtlSessionThatIsNotRenewedIsInvalidatedAndReleasesItsLocks() {
        String key = prefix + "ttl";
        Duration ttl = Duration.ofSeconds(10);
        String id = sessions().create(named("expiring").ttl(ttl).lockDelay(Duration.ZERO).build());
        assertTrue(consul.kv().set(key, "held", KvWriteOptions.acquire(id)));
        long created = System.nanoTime();

        await().atMost(Duration.ofSeconds(35)).pollInterval(Duration.ofMillis(250))
                .until(() -> sessions().info(id).isEmpty());
        assertTrue(Duration.ofNanos(System.nanoTime() - created).compareTo(ttl) >= 0, "not before its TTL");
        assertEquals(Optional.empty(), entry(key).session());
        assertEquals(Optional.empty(), sessions().renew(id), "an expired session cannot be renewed");
    }
}
