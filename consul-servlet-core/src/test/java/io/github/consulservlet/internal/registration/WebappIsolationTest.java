package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Liveness;
import io.github.consulservlet.Registration;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.internal.config.ConsulSettings;
import io.github.consulservlet.simulator.ConsulSimulator;

/**
 * What one webapp can do to the others of its container through registration: take their
 * service ID, fail its registration without a word, or write lines of its agent's choosing into
 * the container's log.
 */
class WebappIsolationTest {
    private static ConsulSimulator simulator;
    private static ConsulClient consul;
    private static EmbeddedJetty jetty;
    private final List<ServletContextHandler> deployed = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        simulator = ConsulSimulator.start();
        consul = ConsulClient.builder().agents(simulator.address()).build();
        jetty = new EmbeddedJetty();
    }

    @AfterEach
    void undeployAll() throws Exception {
        simulator.clearFaults();
        jetty.undeployStarted(deployed);
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.close();
        consul.close();
        simulator.close();
    }

    private ServletContextHandler deploy(String path, String... keyValues) throws Exception {
        Map<String, String> params = new HashMap<>();
        params.put("consul.agent", simulator.address());
        params.put("consul.check.interval", "1s");
        params.put(TestContainerAdapter.FOLLOW, "true");
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        ServletContextHandler context = EmbeddedJetty.webapp(path, params);
        deployed.add(context);
        return jetty.deploy(context);
    }

    private static Registration registration(ServletContextHandler context) {
        return ConsulContext.of(context.getServletContext()).registration();
    }

    @Test
    void aWebappWhosePathNeedsEncodingIsRegisteredAndItsCheckPasses() throws Exception {
        ServletContextHandler context = deploy("/a b", "consul.service.name", "a-b"); // Jetty encodes it: /a%20b
        await().atMost(Duration.ofSeconds(10)).until(() -> registration(context).state() == Registration.State.REGISTERED);
        String id = registration(context).serviceId().orElseThrow();
        await("the agent reaches /a%20b/consul/health, not /a%2520b").atMost(Duration.ofSeconds(10)).until(() -> {
            AgentCheck check = consul.agent().checks().get("service:" + id);
            return check != null && check.status() == CheckStatus.PASSING;
        });
    }

    /** A container that gives the context path as is, space and all: once registered never, and without a word. */
    @Test
    void aContextPathWithARawSpaceIsRegistered() {
        ConsulSettings settings = settings("/a b", "consul.agent", simulator.address(), "consul.service.id", "raw-space");
        ClientPool pool = new ClientPool(key -> ConsulClient.builder().agents(key.agents()).build(), 4);
        WebappRegistration registration = new WebappRegistration("/a b", settings, pool.lease(settings, "/a b"), null,
                getClass().getClassLoader());
        try {
            registration.started("127.0.0.1", jetty.port());
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.serviceIds().contains("raw-space"));
        } finally {
            registration.close();
        }
        assertFalse(simulator.serviceIds().contains("raw-space"));
        assertEquals(0, pool.clientCount());
    }

    /** A failure on the registration path that is not the agent's (an adapter reporting port 0): said once, and retried. */
    @Test
    void aFailureThatIsNotTheAgentsIsLoggedOnceAtErrorInOneLineAndRetried() {
        ConsulSettings settings = ConsulSettings.resolve("/broken", Map.of("consul.agent", simulator.address(),
                "consul.service.id", "broken"), Map.of(), name -> null, Map.of());
        ClientPool pool = new ClientPool(key -> ConsulClient.builder().agents(key.agents()).build(), 4);
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("io.github.consulservlet");
        Level level = root.getLevel();
        root.setLevel(Level.FINE);
        try (LogCapture logs = new LogCapture()) {
            WebappRegistration registration = new WebappRegistration("/broken", settings,
                    pool.lease(settings, "/broken"), null, getClass().getClassLoader());
            try {
                registration.started("127.0.0.1", 0);
                await("retried").atMost(Duration.ofSeconds(10)).until(() -> logs.messages(Level.FINE).stream()
                        .filter(m -> m.startsWith("registering /broken failed again")).count() >= 2);
                List<String> errors = logs.messages(Level.SEVERE);
                assertEquals(List.of("could not register /broken in Consul; the webapp runs and registration is retried"
                        + " in the background: java.lang.IllegalArgumentException: a service port must be 1 to 65535,"
                        + " was 0"), errors);
                assertTrue(logs.records().stream().allMatch(r -> r.getThrown() == null), "no stack trace");
                assertEquals(Registration.State.REGISTERING, registration.state());
            } finally {
                registration.close();
            }
        } finally {
            root.setLevel(level);
        }
        assertFalse(simulator.serviceIds().contains("broken"));
    }

    @Test
    void theCheckUrlIsPercentEncodedOnce() {
        AdvertisedAddress raw = new AdvertisedAddress("/a b", settings("/a b"), "127.0.0.1", 8080);
        assertEquals("http://127.0.0.1:8080/a%20b/consul/health", raw.checkUrl("127.0.0.1", 8080));
        assertEquals("http://[::1]:8080/a%20b/consul/health", raw.checkUrl("::1", 8080));
        AdvertisedAddress encoded = new AdvertisedAddress("/a%20b", settings("/a%20b"), "127.0.0.1", 8080);
        assertEquals("http://127.0.0.1:8080/a%20b/consul/health", encoded.checkUrl("127.0.0.1", 8080));
        assertEquals("/%C3%BC/100%25/x%3Fy%23z", AdvertisedAddress.encodePath("/\u00fc/100%/x?y#z"));
    }

    private static ConsulSettings settings(String contextPath, String... keyValues) {
        Map<String, String> params = new HashMap<>(Map.of("consul.service.name", "ab", "consul.service.port", "8080"));
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return ConsulSettings.resolve(contextPath, params, Map.of(), name -> null, Map.of());
    }

    @Test
    void aSecondWebappWithTheSameServiceIdIsNotRegisteredAndTheFirstStaysRegistered() throws Exception {
        ServletContextHandler first = deploy("/first", "consul.service.id", "twin");
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.serviceIds().contains("twin"));
        try (LogCapture logs = new LogCapture()) {
            ServletContextHandler served = deploy("/second", "consul.service.id", "twin");
            assertTrue(served.isAvailable(), "served, only not registered");
            List<String> errors = logs.messages(Level.SEVERE);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("/second is served but not registered, and has no ConsulContext:"
                    + " consul.service.id 'twin' is already used by the webapp /first"), errors.get(0));
            assertTrue(logs.records().stream().allMatch(r -> r.getThrown() == null), "no stack trace");
        }
        ServletContextHandler second = deployed.get(deployed.size() - 1);
        if (second.isStarted()) {
            jetty.undeploy(second);
        }
        await("the first keeps its registration").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> simulator.serviceIds().contains("twin"));
        assertEquals(Registration.State.REGISTERED, registration(first).state());
        jetty.undeploy(first);
        assertFalse(simulator.serviceIds().contains("twin"));
        deploy("/second", "consul.service.id", "twin"); // free again
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.serviceIds().contains("twin"));
    }

    @Test
    void anAgentsErrorBodyIsCutAndEscapedInTheLogLine() throws Exception {
        String forged = "rpc error\nSEVERE: forged line\r\n\u001b[31m" + "x".repeat(2 * 1024 * 1024);
        simulator.failRequests(500, forged);
        try (LogCapture logs = new LogCapture()) {
            deploy("/forge");
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.messages(Level.WARNING).stream()
                    .anyMatch(m -> m.startsWith("could not register /forge")));
            assertTrue(logs.messages(Level.WARNING).stream().anyMatch(m -> m.startsWith("could not register /forge as forge")
                    && m.contains(" at " + simulator.address() + " (consul.agent from context-param)")),
                    "the warning names the agent and where its address came from: " + logs.messages(Level.WARNING));
            for (String line : logs.messages(Level.ALL)) {
                assertTrue(line.length() < 2_000, "a line of " + line.length() + " characters");
                assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u001b"), line);
            }
        }
    }

    @Test
    void theHealthEndpointAsksTheProbesAtMostAboutOnceASecond() throws Exception {
        ServletContextHandler context = deploy("/cached", "consul.check.mode", "none");
        AtomicInteger asked = new AtomicInteger();
        AtomicReference<Liveness> answer = new AtomicReference<>(Liveness.up());
        registration(context).addLivenessProbe("counted", () -> {
            asked.incrementAndGet();
            return answer.get();
        });
        long began = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            assertEquals(200, jetty.get("/cached/consul/health").statusCode());
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        assertTrue(asked.get() <= seconds + 2, asked.get() + " probe runs for 30 requests in about " + seconds + " s");
        answer.set(Liveness.down("the database is gone"));
        await("a change shows within about a second").atMost(Duration.ofSeconds(5))
                .until(() -> jetty.get("/cached/consul/health").statusCode() == 503);
    }

    @Test
    void aCopyOfTheJarInTheWebappIsNamedAsSuch() {
        String jar = "file:/srv/tomcat/webapps/shop/WEB-INF/lib/consul-servlet-core-1.0.jar";
        assertEquals(java.util.Optional.of(jar), ConsulServletInitializer.bundledIn(jar));
        assertEquals(java.util.Optional.empty(), ConsulServletInitializer.bundledIn("file:/srv/tomcat/lib/consul-servlet-core-1.0.jar"));
        assertEquals(java.util.Optional.empty(), ConsulServletInitializer.bundledIn(null));
        assertTrue(ConsulServletInitializer.bundledMessage(jar).startsWith("this webapp bundles its own copy of consul-servlet (" + jar + ")"));
    }
}
