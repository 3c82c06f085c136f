package io.github.consulservlet.internal.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A MockServer agent and a client of it, sending {@link MockAgent#TOKEN}, for each test. */
abstract class ContractTest {
    MockAgent agent;
    ConsulClient client;

    @BeforeEach
    void startAgentAndClient() {
        agent = new MockAgent();
        client = agent.clientBuilder().build();
    }

    @AfterEach
    void stopAgentAndClient() {
        client.close();
        agent.close();
    }
}
