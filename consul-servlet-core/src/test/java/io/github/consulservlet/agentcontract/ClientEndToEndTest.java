package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.KvWriteOptions;
import io.github.consulservlet.SessionOptions;
import io.github.consulservlet.Watch;
import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.simulator.LivenessEndpoint;

/**
 * The client driven end to end: locks, watches, TTL and HTTP checks, maintenance and
 * check-and-set, on both agents.
 */
class ClientEndToEndTest extends OnBothAgents {
    private LivenessEndpoint endpoint;

    @AfterEach
    void closeEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private String session(String name) {
        return consul.sessions().create(SessionOptions.builder().name(prefix + name).lockDelay(Duration.ZERO).build());
    }

    @Test
    void aLockTakenByOneSessionIsRefusedToAnotherAndFreedWhenItsSessionIsDestroyed() {
        String key = prefix + "leader";
        String first = session("first");
        String second = session("second");
        assertTrue(consul.kv().set(key, "first", KvWriteOptions.acquire(first)));
        assertFalse(consul.kv().set(key, "second", KvWriteOptions.acquire(second)));
        KvEntry held = consul.kv().get(key).orElseThrow();
        assertEquals(Optional.of(first), held.session());
        assertEquals(1, held.lockIndex());

        consul.sessions().destroy(first);
        assertEquals(Optional.empty(), consul.kv().get(key).orElseThrow().session());
        assertTrue(consul.kv().set(key, "second", KvWriteOptions.acquire(second)));
        assertEquals("second", consul.kv().getString(key).orElseThrow());
    }

    @Test
    void aWatchWakesWithin100MillisecondsOfAChange() {
        String key = prefix + "watched";
        consul.kv().set(key, "v0");
        AtomicReference<String> seen = new AtomicReference<>();
        Watch watch = consul.kv().watch(key, entry -> seen.set(entry.map(KvEntry::valueAsString).orElse(null)));
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> "v0".equals(seen.get()));
            consul.kv().set(key, "v1"); // the first change warms up the path a change takes
            await().atMost(Duration.ofSeconds(5)).until(() -> "v1".equals(seen.get()));

            // on the simulator, make sure the watch waits, so that the change must wake it
            agent.simulator().ifPresent(s -> await().atMost(Duration.ofSeconds(5)).until(() -> s.blockedQueries() == 1));
            consul.kv().set(key, "v2");
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofMillis(100))
                    .until(() -> "v2".equals(seen.get()));
        } finally {
            watch.close();
        }
    }

    @Test
    void aTtlCheckTurnsCriticalWhenItsTtlPasses() {
        String serviceId = agent.unique("ttl");
        register(ServiceRegistration.builder(serviceId).port(1)
                .check(CheckDefinition.ttl(Duration.ofSeconds(3)).status(CheckStatus.PASSING).build()).build());
        assertEquals(CheckStatus.PASSING, check("service:" + serviceId).status());
        await().atMost(Duration.ofSeconds(10)).until(() -> check("service:" + serviceId).status() == CheckStatus.CRITICAL);
        assertTrue(check("service:" + serviceId).output().startsWith("TTL expired"));
    }

    private AgentCheck check(String id) {
        return consul.agent().checks().get(id);
    }

    @Test
    void anHttpCheckFollowsTheEndpointTheAgentProbes() {
        endpoint = new LivenessEndpoint();
        endpoint.answer(503, "starting");
        String serviceId = agent.unique("probed");
        register(ServiceRegistration.builder(serviceId).port(4321)
                .check(CheckDefinition.http(endpoint.url(), Duration.ofSeconds(1)).build()).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.probes() > 0);
        assertEquals(List.of(), consul.discovery().service(serviceId), "a failing endpoint keeps it out");

        endpoint.answer(200, "up");
        await().atMost(Duration.ofSeconds(10)).until(() -> consul.discovery().service(serviceId).size() == 1);
        assertEquals(4321, consul.discovery().service(serviceId).get(0).port());

        endpoint.answer(503, "draining");
        await().atMost(Duration.ofSeconds(10)).until(() -> consul.discovery().service(serviceId).isEmpty());
    }

    // A real agent writes its registrations to the catalog a moment later (anti-entropy), so
    // what discovery sees is awaited rather than read once.
    @Test
    void maintenanceTakesAnInstanceOutOfDiscoveryUntilItEnds() {
        String serviceId = agent.unique("maint");
        register(ServiceRegistration.builder(serviceId).port(1)
                .check(CheckDefinition.ttl(Duration.ofMinutes(5)).status(CheckStatus.PASSING).build()).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.discovery().service(serviceId).size() == 1);
        consul.agent().enableMaintenance(serviceId, "deploying");
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.discovery().service(serviceId).isEmpty());
        assertEquals(CheckStatus.CRITICAL, check("_service_maintenance:" + serviceId).status());
        consul.agent().disableMaintenance(serviceId);
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.discovery().service(serviceId).size() == 1);
    }

    @Test
    void checkAndSetWritesOnlyAtTheIndexItRead() {
        String key = prefix + "counter";
        assertTrue(consul.kv().set(key, "1", KvWriteOptions.cas(0)));
        assertFalse(consul.kv().set(key, "1", KvWriteOptions.cas(0)), "cas=0 only creates");
        long index = consul.kv().get(key).orElseThrow().modifyIndex();
        assertTrue(consul.kv().set(key, "2", KvWriteOptions.cas(index)));
        assertFalse(consul.kv().set(key, "3", KvWriteOptions.cas(index)), "a stale index loses");
        assertEquals("2", consul.kv().getString(key).orElseThrow());
        assertEquals(List.of(key), consul.kv().keys(prefix));
    }
}
