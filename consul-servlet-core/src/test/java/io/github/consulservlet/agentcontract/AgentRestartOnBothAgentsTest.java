package io.github.consulservlet.agentcontract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.Watch;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;

/**
 * An agent that restarts having forgotten everything, its indexes starting over (a dev agent, or
 * one whose data was lost): watches notice that the index went backwards, read afresh and follow
 * the new history instead of waiting for the old index to come round again.
 */
class AgentRestartOnBothAgentsTest extends OnBothAgents {
    private static final Duration RECOVERED = Duration.ofSeconds(30);

    @Override
    ConsulTestAgent startAgent(AgentKind kind) {
        return ConsulTestAgent.own(kind);
    }

    @Test
    void aKeyWatchFollowsTheKeyAcrossARestartThatSetTheIndexBack() {
        String key = prefix + "epoch";
        for (int i = 0; i < 20; i++) {
            consul.kv().set(prefix + "history-" + i, "moves the index on"); // so the restarted agent's is lower
        }
        consul.kv().set(key, "before");
        long indexBefore = consul.kv().get(key).orElseThrow().modifyIndex();
        List<Optional<String>> seen = new CopyOnWriteArrayList<>();
        try (Watch watch = consul.kv().watch(key, entry -> seen.add(entry.map(KvEntry::valueAsString)))) {
            await().atMost(RECOVERED).until(() -> seen.equals(List.of(Optional.of("before"))));

            agent.restart();
            await("the forgotten key seen as gone").atMost(RECOVERED).until(() -> seen.size() == 2);
            consul.kv().set(key, "after");
            assertTrue(consul.kv().get(key).orElseThrow().modifyIndex() < indexBefore, "the index went backwards");
            await("the new value seen").atMost(RECOVERED).until(() -> seen.size() == 3);
            assertEquals(List.of(Optional.of("before"), Optional.empty(), Optional.of("after")), seen);
            assertTrue(!watch.isClosed());
        }
    }

    @Test
    void aServiceWatchSeesTheServiceForgottenAndRegisteredAgain() {
        String name = uniqueService("restarted");
        ServiceRegistration registration = ServiceRegistration.builder(name).port(1)
                .check(CheckDefinition.ttl(Duration.ofMinutes(5)).status(CheckStatus.PASSING).build()).build();
        register(registration);
        AtomicReference<List<String>> seen = new AtomicReference<>();
        try (Watch watch = consul.discovery().watch(name, instances -> seen.set(instances.stream().map(ServiceInstance::id).toList()))) {
            await().atMost(RECOVERED).until(() -> List.of(name).equals(seen.get()));
            agent.restart();
            await("forgotten").atMost(RECOVERED).until(() -> List.of().equals(seen.get()));
            consul.agent().register(registration);
            await("registered again").atMost(RECOVERED).until(() -> List.of(name).equals(seen.get()));
            assertTrue(!watch.isClosed());
        }
    }
}
