package io.github.consulservlet.it;

import static io.github.consulservlet.it.ContainerProcess.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

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
 * A real Tomcat distribution (unpacked by the build into {@code target/dist}), installed as the
 * README says, started with {@code bin/catalina.sh run} against a Consul agent of its own, once
 * per kind of agent (the simulator, then the real one, which referees it): the same tests, the
 * same assertions. The tests of a run share one Tomcat and run in order; the last one shuts it
 * down.
 */
@ParameterizedClass(name = "[{0}]")
@ArgumentsSource(TestAgents.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class TomcatDistributionTests {
    private static final List<String> BUNDLED = List.of("root", "docs", "examples", "manager", "host-manager");
    private static final String MANAGER_USER = "it-deployer";
    private static final String MANAGER_PASSWORD = "it-" + Long.toHexString(System.nanoTime());
    /** The valve's checkInterval: how often the agent probes and the webapps' anti-entropy looks. */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /** What re-registration after an agent restart may take beyond one check interval: the calls, a loaded machine. */
    private static final Duration REREGISTRATION_MARGIN = Duration.ofSeconds(3);

    @Parameter
    AgentKind kind;
    private AgentView agent;
    private Path base;
    private ContainerProcess tomcat;
    private int port;

    /** The Tomcat version, one of {@code -Dtomcat.versions}. */
    abstract String version();

    /** A Tomcat of this run's own, against an agent of its own: the restart test kills that agent. */
    @BeforeParameterizedClassInvocation
    void installAndStart() throws IOException {
        agent = new AgentView(ConsulTestAgent.own(kind));
        String valve = "<Valve className=\"io.github.consulservlet.tomcat.ConsulValve\" agent=\"" + agent.url() + "\""
                + agent.agent.token().map(t -> " token=\"" + t + "\"").orElse("") + " checkInterval=\""
                + CHECK_INTERVAL.toSeconds() + "s\" webappsExclude=\"/excluded,/excluded-*\"/>";
        base = TomcatInstall.install(version(), "tomcat-" + version() + "-" + kind.name().toLowerCase(java.util.Locale.ROOT), valve, 0);
        TomcatInstall.edit(base.resolve("conf/tomcat-users.xml"), xml -> xml.replace("</tomcat-users>",
                "<user username=\"" + MANAGER_USER + "\" password=\"" + MANAGER_PASSWORD + "\" roles=\"manager-script\"/>\n</tomcat-users>"));
        Path webapps = base.resolve("webapps");
        SampleWar.sample().param("consul.drain", "60s").writeTo(webapps, "sample");
        SampleWar.sample().param("consul.enabled", "false").writeTo(webapps, "disabled");
        SampleWar.sample().param("consul.drain", "soon").writeTo(webapps, "invalid");
        SampleWar.sample().writeTo(webapps, "excluded");
        SampleWar.sample().param("consul.check.mode", "ttl").param("consul.check.ttl", "3s").writeTo(webapps, "ttl");
        tomcat = TomcatInstall.start(base, "");
        port = TomcatInstall.boundPort(tomcat);
    }

    /** The agent is this run's own: stopping it leaves nothing behind to deregister. */
    @AfterParameterizedClassInvocation
    void cleanUp() {
        if (tomcat != null) {
            tomcat.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    @Order(1)
    void everyWebappIsRegisteredWithTheRealPortAndAPassingCheck() {
        for (String name : Stream.concat(BUNDLED.stream(), Stream.of("sample")).toList()) {
            await(name + " registered and passing").atMost(Duration.ofSeconds(60)).until(() -> agent.passing(name));
            AgentService service = agent.instance(name).orElseThrow();
            assertEquals(port, service.port(), name);
            assertEquals("127.0.0.1", service.address(), name);
        }
        // the agent's own HTTP check probes the webapp's liveness on the port registered (it is
        // registered critical and the check passes only once the agent has run it, and its output
        // shows the URL it probed)
        String id = agent.instance("sample").orElseThrow().id();
        await("sample probed by the agent").atMost(Duration.ofSeconds(30)).until(() -> agent.check(id).map(AgentCheck::output)
                .orElseThrow(), output -> AgentView.isHttpCheckOutput(output, "http://127.0.0.1:" + port + "/sample/consul/health", 200, "UP"));
        HttpResponse<String> hello = get("http://127.0.0.1:" + port + "/sample/app/hello");
        assertEquals("hello from /sample", hello.body());
        // the manager's security constraints do not cover the liveness endpoint
        assertEquals(200, get("http://127.0.0.1:" + port + "/manager/consul/health").statusCode());
    }

    @Test
    @Order(2)
    void aDisabledOrExcludedWebappIsLeftAloneAndAnInvalidOneIsServedUnregisteredWithOneLineWhileTheOthersRun() {
        assertEquals(200, get("http://127.0.0.1:" + port + "/disabled/app/hello").statusCode());
        assertTrue(agent.instances("disabled").isEmpty());
        assertEquals("hello from /excluded", get("http://127.0.0.1:" + port + "/excluded/app/hello").body());
        assertEquals(404, get("http://127.0.0.1:" + port + "/excluded/consul/health").statusCode(), "no liveness endpoint");
        assertTrue(tomcat.log().contains("consul-servlet: /excluded matches consul.webapps.exclude '/excluded': not"
                + " registered, no ConsulContext"), tomcat::log);
        assertEquals("hello from /invalid", get("http://127.0.0.1:" + port + "/invalid/app/hello").body());
        List<String> aboutInvalid = tomcat.log().lines().filter(line -> line.contains("consul-servlet") && line.contains("/invalid")).toList();
        assertEquals(1, aboutInvalid.size(), aboutInvalid::toString);
        assertTrue(aboutInvalid.get(0).contains("consul-servlet: /invalid is served but not registered, and has no"
                + " ConsulContext: consul.drain 'soon' (context-param) is not a duration; expected a duration of 0 or more:"
                + " a number with a unit, such as 500ms, 10s or 1m30s"), aboutInvalid::toString);
        assertTrue(tomcat.log().lines().noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception")), tomcat::log);
        assertTrue(agent.instances("invalid").isEmpty());
        assertTrue(agent.instances("excluded").isEmpty(), "never registered");
        assertTrue(agent.passing("sample"));
    }

    @Test
    @Order(3)
    void theAgentsHttpCheckGoesCriticalWhenTheWebappsLivenessFailsAndPassesWhenItRecovers() {
        ContainerScenarios.httpCheckFollowsLiveness(agent, port, "sample");
    }

    @Test
    @Order(4)
    void aTtlWebappReportsPassingAndCriticalWhenItsLivenessFails() {
        ContainerScenarios.ttlCheckFollowsLiveness(agent, port, "ttl");
    }

    @Test
    @Order(5)
    void aHotDeployIsRegisteredAndItsRemovalDrainsAndDeregistersBeforeTheWebappIsDestroyed() throws IOException {
        Path war = SampleWar.sample().param("consul.drain", "60s").writeTo(base.resolve("webapps"), "hot");
        await("hot registered").atMost(Duration.ofSeconds(60)).until(() -> agent.passing("hot"));
        assertEquals(port, agent.instance("hot").orElseThrow().port());
        String id = agent.instance("hot").orElseThrow().id();

        // asynchronous: in flight, for the valve, until it completes, long after the servlet returned
        HeldRequest held = HeldRequest.start(port, "hot", "async-hold");
        Files.delete(war);
        // draining: in maintenance while the request is in flight, still registered, and still serving
        held.awaitDraining(agent, "hot", id);
        assertEquals("ok", get("http://127.0.0.1:" + port + "/hot/app/release").body());
        assertEquals("released", held.body());
        await("hot deregistered").atMost(Duration.ofSeconds(30)).until(() -> agent.instances("hot").isEmpty());
        await("hot destroyed").atMost(Duration.ofSeconds(30)).until(() -> tomcat.log().contains("consul-it: /hot destroyed"));
        assertTrue(tomcat.log().contains("consul-it: /hot destroyed, in catalog: false"), tomcat::log);
    }

    @Test
    @Order(5)
    void leadershipPassesToTheOtherWebappWhenTheLeadersWarIsRemoved() throws IOException {
        Path first = SampleWar.sample().writeTo(base.resolve("webapps"), "leader-a");
        SampleWar.sample().writeTo(base.resolve("webapps"), "leader-b");
        for (String name : List.of("leader-a", "leader-b")) {
            await(name + " registered").atMost(Duration.ofSeconds(60)).until(() -> agent.passing(name));
        }
        String key = agent.agent.unique("it-leader") + "/leader";
        assertEquals("contending", get("http://127.0.0.1:" + port + "/leader-a/app/lead?key=" + key).body());
        await("leader-a leads").atMost(Duration.ofSeconds(30)).until(() -> role("leader-a").startsWith("leader"));
        assertEquals("contending", get("http://127.0.0.1:" + port + "/leader-b/app/lead?key=" + key).body());
        assertEquals("follower", role("leader-b"));

        Files.delete(first);
        await("leader-b leads once leader-a is undeployed").atMost(Duration.ofSeconds(30))
                .until(() -> role("leader-b").startsWith("leader"));
        await("leader-a deregistered").atMost(Duration.ofSeconds(30)).until(() -> agent.instances("leader-a").isEmpty());
    }

    private String role(String webapp) {
        return get("http://127.0.0.1:" + port + "/" + webapp + "/app/leader").body();
    }

    @Test
    @Order(6)
    void twentyRedeploysAndAReloadLeaveNoThreadNoLeakAndNoRegistrationBehind() throws IOException {
        Path war = SampleWar.sample().param("consul.drain", "60s").writeTo(Files.createDirectories(base.resolve("staging")), "sample");
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> deployed = manager("deploy?path=/sample&update=true&war=" + war.toUri());
            assertTrue(deployed.body().startsWith("OK - Deployed application at context path [/sample]"), deployed::body);
            await("sample registered again").atMost(Duration.ofSeconds(30)).until(() -> agent.passing("sample"));
        }
        // a reload (the same Context stopped and started again) is followed the same way
        String destroyed = "consul-it: /sample destroyed, in catalog: false";
        long before = tomcat.log().lines().filter(destroyed::equals).count();
        HttpResponse<String> reloaded = manager("reload?path=/sample");
        assertTrue(reloaded.body().startsWith("OK - Reloaded application at context path [/sample]"), reloaded::body);
        await("deregistered before the reload destroyed it").atMost(Duration.ofSeconds(10))
                .until(() -> tomcat.log().lines().filter(destroyed::equals).count() == before + 1);
        await("sample registered after its reload").atMost(Duration.ofSeconds(30)).until(() -> agent.passing("sample"));
        assertEquals(1, agent.instances("sample").size());
        // Tomcat's warnings, each with the stack that follows it: none may be about our threads,
        // thread locals or classes (Tomcat's own utility thread, busy with the webapp's background
        // work during a reload, may be warned about: not ours)
        String log = tomcat.log() + logs("catalina.");
        for (String entry : log.split("\n(?=\\d{2}-\\w{3}-\\d{4} )")) {
            boolean leak = entry.contains("appears to have started a thread") || entry.contains("memory leak")
                    || entry.contains("created a ThreadLocal");
            assertFalse(leak && (entry.contains("consul-servlet") || entry.contains("consulservlet")), entry);
        }
        // Tomcat's own check: the 20 old class loaders of /sample can be collected
        await("findleaks finds nothing").atMost(Duration.ofSeconds(30))
                .until(() -> manager("findleaks?statusLine=true").body().strip(), body -> body.equals("OK - No memory leaks found"));
    }

    @Test
    @Order(7)
    void anAgentRestartedEmptyHasEveryWebappRegisteredAgainWithinOneCheckInterval() {
        ContainerScenarios.everyWebappRegisteredAgainAfterAnEmptyRestart(agent, port, Stream.concat(BUNDLED.stream(), Stream.of("sample", "ttl")).toList(),
                CHECK_INTERVAL.plus(REREGISTRATION_MARGIN));
    }

    @Test
    @Order(8)
    void shutdownDrainsEveryWebappWhileTheConnectorsStillServeAndDeregistersThemBeforeTheProcessExits() {
        for (String name : Stream.concat(BUNDLED.stream(), Stream.of("sample", "ttl")).toList()) {
            assertEquals(1, agent.instances(name).size(), name);
        }
        String id = agent.instance("sample").orElseThrow().id();
        HeldRequest held = HeldRequest.start(port, "sample", "hold");
        tomcat.signalStop();
        held.awaitDraining(agent, "sample", id);
        // the connectors have not paused: a new request is still served
        assertEquals("ok", get("http://127.0.0.1:" + port + "/sample/app/release").body());
        assertEquals("released", held.body());
        tomcat.awaitExit(Duration.ofSeconds(60));
        for (String name : Stream.concat(BUNDLED.stream(), Stream.of("sample", "ttl")).toList()) {
            assertTrue(agent.instances(name).isEmpty(), name);
        }
        assertTrue(tomcat.log().contains("consul-it: /sample destroyed, in catalog: false"), tomcat::log);
    }


    private HttpResponse<String> manager(String command) {
        String credentials = Base64.getEncoder().encodeToString((MANAGER_USER + ":" + MANAGER_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return ContainerProcess.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/manager/text/" + command))
                .header("Authorization", "Basic " + credentials).timeout(Duration.ofSeconds(60)).build());
    }

    private String logs(String prefix) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(base.resolve("logs"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                all.append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }
}
