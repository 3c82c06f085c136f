package io.github.consulservlet.agentcontract;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ArgumentsSource;

import io.github.consulservlet.KvDeleteOptions;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.ServiceRegistration;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;
import io.github.consulservlet.testagent.TestAgents;

/**
 * The contract suite: each test class below runs unchanged, with the same assertions, against
 * the simulator and against the real agent (the referee: where they differ, the simulator is
 * fixed). Each test gets the {@link #agent}, a {@link #consul} client of it, a {@link #prefix}
 * of its own for KV keys and session names, and has what it registered, wrote or created
 * removed afterwards, since the real agent is shared by the whole run.
 */
@ParameterizedClass(name = "[{0}]")
@ArgumentsSource(TestAgents.class)
abstract class OnBothAgents {
    @Parameter
    AgentKind kind;
    ConsulTestAgent agent;
    ConsulClient consul;
    String prefix;
    private final List<String> registered = new ArrayList<>();

    /** The agent for each test: the shared one; a class that restarts it or needs ACLs asks for its own. */
    ConsulTestAgent startAgent(AgentKind kind) {
        return ConsulTestAgent.shared(kind);
    }

    @BeforeEach
    final void connect() {
        agent = startAgent(kind);
        consul = client(agent);
        prefix = agent.unique("contract") + "/";
    }

    static ConsulClient client(ConsulTestAgent agent) {
        ConsulClient.Builder builder = ConsulClient.builder().agents(agent.address());
        agent.token().ifPresent(builder::token);
        return builder.build();
    }

    /** Registers with the agent, and deregisters after the test. */
    void register(ServiceRegistration registration) {
        registered.add(registration.id());
        consul.agent().register(registration);
    }

    /** A unique service name (a DNS label) for this test. */
    String uniqueService(String name) {
        return agent.unique(name);
    }

    @AfterEach
    final void cleanUp() {
        try {
            for (String id : registered) {
                if (consul.agent().service(id).isPresent()) { // unless the test removed it
                    consul.agent().deregister(id);
                }
            }
            consul.sessions().list().stream().filter(s -> s.name().startsWith(prefix))
                    .forEach(s -> consul.sessions().destroy(s.id()));
            consul.kv().delete(prefix, KvDeleteOptions.recurse());
        } finally {
            consul.close();
            agent.close();
        }
    }
}
