package io.github.consulservlet.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ArgumentsSource;

import io.github.consulservlet.ServiceInstance;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.CheckDefinition;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;
import io.github.consulservlet.testagent.TestAgents;

/**
 * The end-to-end tests reach their Consul agents through core's test-jar: the simulator, and the
 * real agent whenever a Consul binary can be had, each run with the same test.
 */
@ParameterizedClass(name = "[{0}]")
@ArgumentsSource(TestAgents.class)
class ConsulTestAgentTest {
    @Parameter
    AgentKind kind;

    @Test
    void aServiceRegisteredWithTheTestAgentIsDiscovered() {
        try (ConsulTestAgent agent = ConsulTestAgent.shared(kind)) {
            ConsulClient.Builder builder = ConsulClient.builder().agents(agent.address());
            agent.token().ifPresent(builder::token);
            String id = agent.unique("it");
            try (ConsulClient consul = builder.build()) {
                consul.agent().register(ServiceRegistration.builder(id).port(8080).tags(List.of("it"))
                        .check(CheckDefinition.ttl(Duration.ofMinutes(1)).status(CheckStatus.PASSING).build()).build());
                try {
                    // a real agent writes to the catalog a moment after it accepts a registration
                    await().atMost(Duration.ofSeconds(5)).until(() -> consul.discovery().service(id, "it").size() == 1);
                    List<ServiceInstance> found = consul.discovery().service(id, "it");
                    assertEquals(8080, found.get(0).port());
                } finally {
                    consul.agent().deregister(id);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> consul.discovery().service(id).isEmpty());
            }
        }
    }
}
