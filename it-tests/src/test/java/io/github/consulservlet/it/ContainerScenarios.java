package io.github.consulservlet.it;

import static io.github.consulservlet.it.ContainerProcess.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.CheckStatus;

/**
 * Scenarios the same in every container: what the agent's check of a deployed sample webapp does
 * when the webapp's own liveness fails and recovers ({@code /app/fail-liveness},
 * {@code /app/recover-liveness}), and an agent that restarts empty.
 */
final class ContainerScenarios {
    private static final Duration CHECKED = Duration.ofSeconds(30);

    private ContainerScenarios() {
    }

    /** An {@code http}-mode webapp: the agent's own probe answers 503 DOWN, then passes again. */
    static void httpCheckFollowsLiveness(AgentView agent, int port, String webapp) {
        String id = agent.instance(webapp).orElseThrow().id();
        assertEquals("failing", get(url(port, webapp, "/app/fail-liveness?because=test")).body());
        await(webapp + " critical").atMost(CHECKED).until(() -> agent.checkStatus(id).orElseThrow() == CheckStatus.CRITICAL);
        String output = agent.check(id).orElseThrow().output();
        assertTrue(AgentView.isHttpCheckOutput(output, url(port, webapp, "/consul/health"), 503, "DOWN"), output);
        assertEquals("up", get(url(port, webapp, "/app/recover-liveness")).body());
        await(webapp + " passing again").atMost(CHECKED).until(() -> agent.passing(webapp));
    }

    /** A {@code ttl}-mode webapp: its own reports reach the agent, UP, then the probe's failure, then UP. */
    static void ttlCheckFollowsLiveness(AgentView agent, int port, String webapp) {
        await(webapp + " registered and passing").atMost(Duration.ofSeconds(60)).until(() -> agent.passing(webapp));
        String id = agent.instance(webapp).orElseThrow().id();
        assertEquals(port, agent.instance(webapp).orElseThrow().port());
        // registered passing: the output shows the webapp's own report reached the agent
        await(webapp + " reported").atMost(CHECKED).until(() -> agent.check(id).map(AgentCheck::output).orElseThrow(), "UP"::equals);
        get(url(port, webapp, "/app/fail-liveness?because=no+database"));
        await(webapp + " critical").atMost(CHECKED).until(() -> agent.checkStatus(id).orElseThrow() == CheckStatus.CRITICAL);
        assertEquals("DOWN: sample: no database", agent.check(id).orElseThrow().output());
        get(url(port, webapp, "/app/recover-liveness"));
        await(webapp + " passing again").atMost(CHECKED).until(() -> agent.passing(webapp));
    }

    private static String url(int port, String webapp, String path) {
        return "http://127.0.0.1:" + port + "/" + webapp + path;
    }
    /**
     * The agent killed and started again empty on the same ports: every webapp of {@code names} is
     * registered again within {@code within} of the agent answering, then passes on the same port.
     */
    static void everyWebappRegisteredAgainAfterAnEmptyRestart(AgentView agent, int port, List<String> names, Duration within) {
        for (String name : names) {
            await(name + " passing").atMost(CHECKED).until(() -> agent.passing(name));
        }
        Duration took = agent.restartEmptyAndAwaitRegistered(names, within);
        assertTrue(took.compareTo(within) <= 0, took::toString);
        for (String name : names) {
            await(name + " passing again").atMost(CHECKED).until(() -> agent.passing(name));
            assertEquals(port, agent.instance(name).orElseThrow().port(), name);
        }
    }
}
