package io.github.consulservlet.it;

import static io.github.consulservlet.it.ContainerProcess.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ArgumentsSource;

import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;
import io.github.consulservlet.testagent.TestAgents;

/**
 * A real Jetty 12.1 ({@code jetty-home}, unpacked by the build into {@code target/dist}) with a
 * new jetty-base where the {@code consul} and {@code consul-ee11} modules are installed as the
 * README says, started with {@code start.jar} as a child process against a Consul agent of its
 * own: one sample webapp in the ee10 environment ({@code shop}), one in ee11 ({@code cart}), and
 * one in {@code ttl} check mode ({@code ttl}, ee10). Run once per kind of agent (the simulator,
 * then the real one, which referees it), with the same tests and assertions. The tests of a run
 * share one Jetty and run in order; the last one stops it.
 */
@ParameterizedClass(name = "[{0}]")
@ArgumentsSource(TestAgents.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JettyDistributionIT {
    /** consul.check.interval: how often the agent probes and the webapps' anti-entropy looks. */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /** What re-registration after an agent restart may take beyond one check interval: the calls, a loaded machine. */
    private static final Duration REREGISTRATION_MARGIN = Duration.ofSeconds(3);

    @Parameter
    AgentKind kind;
    private AgentView agent;
    private JettyInstall install;
    private Path base;
    private ContainerProcess jetty;
    private int port;
    private String keyPrefix;

    /** A Jetty of this run's own, against an agent of its own: the restart test kills that agent. */
    @BeforeParameterizedClassInvocation
    void installAndStart() throws IOException, InterruptedException {
        agent = new AgentView(ConsulTestAgent.own(kind));
        keyPrefix = agent.agent.unique("consul-it-jetty");
        // the README's installation: unpack the archive into the base, add the modules, set the agent
        install = JettyInstall.install("jetty-base-" + kind.name().toLowerCase(java.util.Locale.ROOT), List.of("consul", "consul-ee11"),
                "consul.agent=" + agent.url() + "\n" + agent.agent.token().map(t -> "consul.token=" + t + "\n").orElse("")
                + "consul.check.interval=" + CHECK_INTERVAL.toSeconds() + "s\n"
                + "consul.webapps.exclude=/excluded\nconsul.servce.tags=misspelled\n");
        base = install.base;
        Path webapps = base.resolve("webapps");
        Files.writeString(webapps.resolve("shop.properties"), "environment=ee10\n");
        SampleWar.sample().param("consul.drain", "60s").writeTo(webapps, "shop");
        Files.writeString(webapps.resolve("cart.properties"), "environment=ee11\n");
        SampleWar.sample().writeTo(webapps, "cart");
        Files.writeString(webapps.resolve("invalid.properties"), "environment=ee10\n");
        SampleWar.sample().param("consul.check.mode", "sometimes").writeTo(webapps, "invalid");
        Files.writeString(webapps.resolve("excluded.properties"), "environment=ee10\n");
        SampleWar.sample().writeTo(webapps, "excluded");
        Files.writeString(webapps.resolve("ttl.properties"), "environment=ee10\n");
        SampleWar.sample().param("consul.check.mode", "ttl").param("consul.check.ttl", "3s").writeTo(webapps, "ttl");

        jetty = install.start();
        port = JettyInstall.boundPort(jetty);
    }

    /** The agent is this run's own: stopping it leaves nothing behind to deregister or delete. */
    @AfterParameterizedClassInvocation
    void cleanUp() {
        if (jetty != null) {
            jetty.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    @Order(1)
    void theEe10AndEe11WebappsAreRegisteredWithTheRealPortAndAPassingCheck() {
        for (String name : List.of("shop", "cart")) {
            await(name + " registered and passing").atMost(Duration.ofSeconds(60)).until(() -> agent.passing(name));
            AgentService service = agent.instance(name).orElseThrow();
            assertEquals(port, service.port(), name);
            assertEquals("127.0.0.1", service.address(), name);
            assertEquals("hello from /" + name, get("http://127.0.0.1:" + port + "/" + name + "/app/hello").body());
            // the agent's own HTTP check probes the webapp's liveness on the port registered (its
            // output shows that the agent has run it)
            await(name + " probed by the agent").atMost(Duration.ofSeconds(30)).until(() -> agent.check(service.id())
                    .map(AgentCheck::output).orElseThrow(), output -> AgentView.isHttpCheckOutput(output,
                    "http://127.0.0.1:" + port + "/" + name + "/consul/health", 200, "UP"));
        }
        // the ee10 and ee11 environments each load their own copy of consul-servlet, in one JVM:
        // one start of the container, so neither takes the other's services for a crashed run's
        assertFalse(jetty.log().contains("orphan removed"), jetty::log);
    }

    @Test
    @Order(2)
    void theAgentsHttpCheckGoesCriticalWhenAWebappsLivenessFailsAndPassesWhenItRecovers() {
        for (String name : List.of("shop", "cart")) {
            ContainerScenarios.httpCheckFollowsLiveness(agent, port, name);
        }
    }

    @Test
    @Order(3)
    void aTtlWebappReportsPassingAndCriticalWhenItsLivenessFails() {
        ContainerScenarios.ttlCheckFollowsLiveness(agent, port, "ttl");
    }

    @Test
    @Order(4)
    void theirServletsUseConsulContextForKvDiscoveryAndALock() {
        String key = keyPrefix + "/greeting";
        assertEquals("hello", get("http://127.0.0.1:" + port + "/shop/app/kv?key=" + key + "&value=hello").body());
        assertEquals("hello", agent.consul.kv().getString(key).orElseThrow());
        assertEquals("cart 127.0.0.1 " + port, get("http://127.0.0.1:" + port + "/shop/app/discover?name=cart").body().strip());
        assertEquals("shop 127.0.0.1 " + port, get("http://127.0.0.1:" + port + "/cart/app/discover?name=shop").body().strip());
        assertEquals("acquired=true holder=this session",
                get("http://127.0.0.1:" + port + "/cart/app/lock?key=" + keyPrefix + "/leader").body());
        assertTrue(agent.consul.kv().get(keyPrefix + "/leader").orElseThrow().session().isPresent());
    }

    @Test
    @Order(5)
    void anInvalidSettingCostsOnlyItsWebappsRegistrationAndAnExcludedWebappIsServedUnregistered() {
        List<String> aboutInvalid = jetty.log().lines().filter(line -> line.contains("consul-servlet") && line.contains("/invalid")).toList();
        assertEquals(1, aboutInvalid.size(), aboutInvalid::toString);
        assertTrue(aboutInvalid.get(0).contains("consul-servlet: /invalid is served but not registered, and has no ConsulContext:"
                + " consul.check.mode 'sometimes' (context-param) is not a known mode; expected http, ttl or none"), aboutInvalid::toString);
        assertTrue(agent.instances("invalid").isEmpty());
        assertEquals("hello from /invalid", get("http://127.0.0.1:" + port + "/invalid/app/hello").body());
        assertEquals("hello from /excluded", get("http://127.0.0.1:" + port + "/excluded/app/hello").body());
        assertTrue(agent.instances("excluded").isEmpty(), "never registered");
        assertTrue(jetty.log().contains("consul-servlet: consul.servce.tags (Jetty property in start.d/consul.ini) is not a"
                + " consul-servlet setting and is ignored; did you mean consul.service.tags?"), jetty::log);
        assertTrue(agent.passing("shop"));
    }

    @Test
    @Order(6)
    void aHotDeployIsRegisteredAndItsRemovalDrainsAndDeregistersBeforeTheWebappIsDestroyed() throws IOException {
        Path webapps = base.resolve("webapps");
        Path war = SampleWar.sample().param("consul.drain", "60s").writeTo(webapps, "hot");
        await("hot registered").atMost(Duration.ofSeconds(60)).until(() -> agent.passing("hot"));
        assertEquals(port, agent.instance("hot").orElseThrow().port());
        String id = agent.instance("hot").orElseThrow().id();

        HeldRequest held = HeldRequest.start(port, "hot", "hold?until=" + base.resolve("release-hot"));
        Files.delete(war);
        held.awaitDraining(agent, "hot", id);
        // Jetty's deployer stops a context in place, and a stopping context takes no new request:
        // the request in flight is released from the webapp itself
        releaseFromWithin("hot");
        assertEquals("released", held.body());
        await("hot deregistered").atMost(Duration.ofSeconds(30)).until(() -> agent.instances("hot").isEmpty());
        await("hot destroyed").atMost(Duration.ofSeconds(30)).until(() -> jetty.log().contains("consul-it: /hot destroyed"));
        assertTrue(jetty.log().contains("consul-it: /hot destroyed, in catalog: false"), jetty::log);
    }

    @Test
    @Order(7)
    void listConfigAndListModulesShowTheModulesAndTheirSettings() throws IOException, InterruptedException {
        String modules = install.startJar("--list-modules=consul,consul-ee11");
        assertTrue(modules.contains("consul"), modules);
        assertTrue(modules.contains("consul-ee11"), modules);
        String config = install.startJar("--list-config");
        assertTrue(config.contains("consul.agent = " + agent.url()), config);
        assertTrue(config.contains("consul.check.interval = 1s"), config);
        assertTrue(config.contains("lib/consul/consul-servlet-jetty.jar"), config);
        assertTrue(config.contains("etc/jetty-consul.xml"), config);
        for (String output : List.of(modules, config)) {
            for (String line : output.split("\n")) {
                assertFalse(line.contains("WARN") || line.contains("ERROR") || line.contains("Exception"), line);
            }
        }
    }

    @Test
    @Order(8)
    void anAgentRestartedEmptyHasEveryWebappRegisteredAgainWithinOneCheckInterval() {
        ContainerScenarios.everyWebappRegisteredAgainAfterAnEmptyRestart(agent, port, List.of("shop", "cart", "ttl"),
                CHECK_INTERVAL.plus(REREGISTRATION_MARGIN));
    }

    @Test
    @Order(9)
    void stoppingJettyDrainsEveryWebappWhileItStillServesAndDeregistersThemBeforeTheProcessExits() {
        assertEquals(1, agent.instances("cart").size());
        assertEquals(1, agent.instances("ttl").size());
        String id = agent.instance("shop").orElseThrow().id();
        HeldRequest held = HeldRequest.start(port, "shop", "hold");
        jetty.signalStop();
        held.awaitDraining(agent, "shop", id);
        // the server has not begun to stop its connectors and contexts: a new request is still served
        assertEquals("ok", get("http://127.0.0.1:" + port + "/shop/app/release").body());
        assertEquals("released", held.body());
        jetty.awaitExit(Duration.ofSeconds(60));
        assertTrue(agent.instances("shop").isEmpty());
        assertTrue(agent.instances("cart").isEmpty());
        assertTrue(agent.instances("ttl").isEmpty());
        assertTrue(jetty.log().contains("consul-it: /shop destroyed, in catalog: false"), jetty::log);
        assertTrue(jetty.log().contains("consul-it: /cart destroyed, in catalog: false"), jetty::log);
        // the lifecycle lines of the stop are in Jetty's output, as in Tomcat's log, even once
        // the JVM's shutdown has reset java.util.logging
        assertTrue(jetty.log().contains("draining /shop (" + id + "): in maintenance in Consul"), jetty::log);
        assertTrue(jetty.log().contains("deregistered " + id + " (/shop) from Consul"), jetty::log);
    }


    /** The hold of a stopping webapp is released by the file its servlet polls: it takes no request. */
    private void releaseFromWithin(String webapp) throws IOException {
        Files.writeString(base.resolve("release-" + webapp), "release");
    }
}
