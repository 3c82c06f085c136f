package io.github.consulservlet.it;

import static io.github.consulservlet.it.ContainerProcess.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.consulservlet.testagent.ConsulTestAgent;

/**
 * Tomcat installations other than the README's main one, on the first of {@code -Dtomcat.versions}.
 * Against the simulator only: what differs here is how Tomcat is set up, not what the agent does,
 * which the container tests check on both agents.
 */
class TomcatInstallVariantsIT {

    /**
     * The drop-in jar without the Valve line: core-only mode, with the port given as the README's
     * core-only installation says ({@code -Dconsul.service.port}).
     */
    @Test
    void theJarAloneRegistersWithThePortItIsGivenAndDeregistersAtShutdown() throws IOException {
        String version = System.getProperty("tomcat.versions").split(",")[0];
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (AgentView agent = new AgentView(ConsulTestAgent.startSimulator())) {
            Path base = TomcatInstall.install(version, "tomcat-core-only", "", port);
            SampleWar.sample().writeTo(base.resolve("webapps"), "sample");
            String token = agent.agent.token().map(t -> " -Dconsul.token=" + t).orElse("");
            try (ContainerProcess tomcat = TomcatInstall.start(base, "-Dconsul.agent=" + agent.url() + token
                    + " -Dconsul.service.port=" + port + " -Dconsul.check.interval=1s")) {
                await("sample registered and passing").atMost(Duration.ofSeconds(60)).until(() -> agent.passing("sample"));
                assertEquals(port, agent.instance("sample").orElseThrow().port());
                assertEquals("hello from /sample", get("http://127.0.0.1:" + port + "/sample/app/hello").body());
                await("root registered and passing").atMost(Duration.ofSeconds(60)).until(() -> agent.passing("root"));
                tomcat.stop(Duration.ofSeconds(60));
                assertTrue(agent.instances("sample").isEmpty());
                assertTrue(agent.instances("root").isEmpty());
            } finally {
                for (String name : new String[] {"sample", "root", "docs", "examples", "manager", "host-manager"}) {
                    agent.instances(name).forEach(s -> agent.consul.agent().deregister(s.id()));
                }
            }
        }
    }

    @Test
    void aValveAttributeThatIsNoSettingIsIgnoredWithTheNearestNameAndItsWebappsRegistered() throws IOException {
        String version = System.getProperty("tomcat.versions").split(",")[0];
        try (AgentView agent = new AgentView(ConsulTestAgent.startSimulator())) {
            Path base = TomcatInstall.install(version, "tomcat-bad-valve", "<Valve className=\"io.github.consulservlet.tomcat.ConsulValve\""
                    + " agent=\"" + agent.url() + "\" serviceTag=\"blue\"/>", 0);
            SampleWar.sample().writeTo(base.resolve("webapps"), "sample");
            try (ContainerProcess tomcat = TomcatInstall.start(base, "")) {
                await("sample registered").atMost(Duration.ofSeconds(60)).until(() -> agent.passing("sample"));
                assertTrue(tomcat.log().contains("consul-servlet: ConsulValve attribute 'serviceTag' is not a setting and is"
                        + " ignored; did you mean serviceTags? (the value is not shown)"), tomcat::log);
                tomcat.stop(Duration.ofSeconds(60));
            }
        }
    }

    /**
     * The valve nested in the {@code <Host>} rather than the Engine, and a connector port moved by
     * the Server's {@code portOffset}: the port registered is the one bound.
     */
    @Test
    void aValveInTheHostRegistersThePortThatPortOffsetGives() throws IOException {
        String version = System.getProperty("tomcat.versions").split(",")[0];
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (AgentView agent = new AgentView(ConsulTestAgent.startSimulator())) {
            String token = agent.agent.token().map(t -> " token=\"" + t + "\"").orElse("");
            Path base = TomcatInstall.install(version, "tomcat-port-offset", "", "<Valve className=\"io.github.consulservlet.tomcat.ConsulValve\""
                    + " agent=\"" + agent.url() + "\"" + token + " checkInterval=\"1s\"/>", port - 1000);
            TomcatInstall.edit(base.resolve("conf/server.xml"), xml -> xml.replace("<Server port=\"-1\"", "<Server port=\"-1\" portOffset=\"1000\""));
            SampleWar.sample().writeTo(base.resolve("webapps"), "sample");
            try (ContainerProcess tomcat = TomcatInstall.start(base, "")) {
                await("sample registered and passing").atMost(Duration.ofSeconds(60)).until(() -> agent.passing("sample"));
                assertEquals(port, agent.instance("sample").orElseThrow().port());
                tomcat.stop(Duration.ofSeconds(60));
                assertTrue(agent.instances("sample").isEmpty());
            } finally {
                for (String name : new String[] {"sample", "root", "docs", "examples", "manager", "host-manager"}) {
                    agent.instances(name).forEach(s -> agent.consul.agent().deregister(s.id()));
                }
            }
        }
    }
}
