package io.github.consulservlet.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ArgumentsSource;

import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;
import io.github.consulservlet.testagent.TestAgents;

/**
 * A Tomcat killed with {@code kill -9} leaves its instances registered; started again on the
 * same connector port (its container identity is its base and port), it removes what the
 * killed run left, here the instance of a webapp that is no longer deployed, and the agent
 * holds no instance of the killed run. Prints the time from the restart to no orphan.
 */
@ParameterizedClass(name = "[{0}]")
@ArgumentsSource(TestAgents.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatKillRestartIT {
    private static final String MARK_CONTAINER = "servlet-registrar-container";
    private static final String MARK_INSTANCE = "servlet-registrar-instance";

    @Parameter
    AgentKind kind;

    @Test
    void afterKillNineAndARestartOnTheSamePortNoInstanceOfTheKilledRunRemains() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String version = System.getProperty("tomcat.versions").split(",")[0];
        try (AgentView agent = new AgentView(ConsulTestAgent.own(kind))) {
            String valve = "<Valve className=\"io.github.consulservlet.tomcat.ConsulValve\" agent=\"" + agent.url() + "\""
                    + agent.agent.token().map(t -> " token=\"" + t + "\"").orElse("") + " checkInterval=\"1s\"/>";
            Path base = TomcatInstall.install(version, "tomcat-kill-" + kind.name().toLowerCase(java.util.Locale.ROOT), valve, port);
            Path webapps = base.resolve("webapps");
            SampleWar.sample().writeTo(webapps, "kept");
            SampleWar.sample().writeTo(webapps, "gone");
            String killedRun;
            ContainerProcess killed = TomcatInstall.start(base, "");
            try {
                await("both registered").atMost(Duration.ofSeconds(60))
                        .until(() -> agent.passing("kept") && agent.passing("gone"));
                killedRun = agent.instance("gone").orElseThrow().meta().get(MARK_INSTANCE);
            } finally {
                killed.close(); // destroyForcibly: SIGKILL, no deregistration
            }
            assertFalse(killed.isAlive(), "the first Tomcat is killed");
            assertEquals(1, agent.instances("gone").size(), "the killed Tomcat left its instance behind");
            Copy.delete(webapps.resolve("gone"));
            Files.deleteIfExists(webapps.resolve("gone.war"));

            long restarted = System.nanoTime();
            try (ContainerProcess tomcat = TomcatInstall.start(base, "")) {
                String container = agent.instance("kept").map(s -> s.meta().get(MARK_CONTAINER)).orElse("?");
                await("no instance of the killed run left").atMost(Duration.ofSeconds(60))
                        .until(() -> ours(agent, port).stream().noneMatch(s -> killedRun.equals(s.meta().get(MARK_INSTANCE)))
                                && agent.passing("kept"));
                Duration took = Duration.ofNanos(System.nanoTime() - restarted);
                System.out.println("kill -9 then restart on port " + port + " [" + kind + "]: no orphan after "
                        + took.toMillis() + " ms (Tomcat's start included)");
                assertTrue(agent.instances("gone").isEmpty(), "the orphan was removed");
                assertTrue(tomcat.log().contains("orphan removed: gone-"), tomcat::log);
                assertTrue(container.endsWith(":" + port), container);
                assertTrue(took.compareTo(Duration.ofSeconds(60)) < 0, took::toString);
            }
        }
    }

    /** The instances registered with this Tomcat's connector port in their container marker. */
    private static List<AgentService> ours(AgentView agent, int port) {
        return agent.consul.agent().services().values().stream()
                .filter(s -> String.valueOf(s.meta().get(MARK_CONTAINER)).endsWith(":" + port)).toList();
    }
}
