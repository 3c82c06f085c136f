package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ArgumentsSource;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Registration;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.testagent.AgentKind;
import io.github.consulservlet.testagent.ConsulTestAgent;
import io.github.consulservlet.testagent.FaultProxy;
import io.github.consulservlet.testagent.FaultProxy.Fault;
import io.github.consulservlet.testagent.TestAgents;

/**
 * Registration behind a faulty agent, for real: a {@link FaultProxy} in front of the real agent
 * and of the simulator answers late, answers 500 or resets the connection, and each test checks
 * its bar, prints its figure, and looks on the agent itself for what the webapps registered. The
 * exact requests of the same cases are {@link RegistrationUnderFaultsTest}'s.
 */
@ParameterizedClass(name = "[{0}]")
@ArgumentsSource(TestAgents.class)
class RegistrationUnderFaultsOnBothAgentsTest {
    /**
     * One round of the agent's backoff (at most 2 s) and the registrations it lets go, with 2 s
     * to spare for a loaded machine: the bar for "every webapp registered once the agent recovers".
     */
    private static final Duration ROUND_AND_MARGIN = Duration.ofSeconds(4);

    private static final String REGISTER = "/v1/agent/service/register";

    @Parameter
    AgentKind kind;
    private ConsulTestAgent agent;
    private ConsulClient consul;
    private FaultProxy proxy;
    private EmbeddedJetty jetty;
    private String run;

    @BeforeEach
    void start() throws Exception {
        agent = ConsulTestAgent.shared(kind);
        ConsulClient.Builder builder = ConsulClient.builder().agents(agent.address());
        agent.token().ifPresent(builder::token);
        consul = builder.build();
        proxy = new FaultProxy(agent.uri());
        jetty = new EmbeddedJetty();
        run = agent.unique("faults");
    }

    @AfterEach
    void stop() {
        try {
            proxy.heal();
            jetty.closeAndAwaitSharedClients();
        } finally {
            proxy.close();
            consul.close();
            agent.close();
        }
    }

    private ServletContextHandler deploy(String name, String... keyValues) throws Exception {
        Map<String, String> params = new HashMap<>(Map.of("consul.agent", proxy.address(), "consul.service.name", run + "-" + name,
                TestContainerAdapter.FOLLOW, "true", "consul.check.mode", "ttl", "consul.drain", "0"));
        agent.token().ifPresent(token -> params.put("consul.token", token));
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return jetty.deploy(EmbeddedJetty.webapp("/" + name, params));
    }

    private List<ServletContextHandler> deployAll(String name, int count) throws Exception {
        List<ServletContextHandler> webapps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            webapps.add(deploy(name + i));
        }
        return webapps;
    }

    private static Registration registration(ServletContextHandler webapp) {
        return ConsulContext.of(webapp.getServletContext()).registration();
    }

    private static boolean allRegistered(List<ServletContextHandler> webapps) {
        return webapps.stream().allMatch(w -> registration(w).state() == Registration.State.REGISTERED);
    }

    /** Every webapp's instance is on the agent itself, not just reported registered. */
    private void assertOnTheAgent(List<ServletContextHandler> webapps) {
        List<String> ids = webapps.stream().map(w -> registration(w).serviceId().orElseThrow()).toList();
        await("every instance on the agent").atMost(Duration.ofSeconds(5))
                .until(() -> consul.agent().services().keySet().containsAll(ids));
    }

    /** Requests to register per second over {@code window}, once the webapps' first attempts are over. */
    private double registerAttemptsPerSecond(Duration window) {
        await("the first round over").pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        int before = proxy.count("PUT", REGISTER);
        long began = System.nanoTime();
        await("the window").pollDelay(window).atMost(window.plusSeconds(1)).until(() -> true);
        double perSecond = (proxy.count("PUT", REGISTER) - before) / ((System.nanoTime() - began) / 1e9);
        int busiest = proxy.perSecond("PUT", REGISTER).entrySet().stream().filter(e -> e.getKey() >= 2)
                .mapToInt(Map.Entry::getValue).max().orElse(0);
        // one client's backoff for all the webapps, not a stream per webapp
        assertTrue(busiest <= 2, () -> busiest + " attempts in the busiest second past the first round");
        return perSecond;
    }

    @Test
    void tenWebappsBehindAnAgentThatAnswersAfterTwoSecondsAreAllRegisteredInAboutOneAnswer() throws Exception {
        proxy.fault("PUT", REGISTER, new Fault.Delay(Duration.ofSeconds(2)));
        long began = System.nanoTime();
        List<ServletContextHandler> webapps = deployAll("slow", 10);
        await("all ten registered").atMost(Duration.ofSeconds(30)).until(() -> allRegistered(webapps));
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.printf("slow agent (2 s per answer), %s: 10 webapps registered in %.1f s%n", kind, took.toMillis() / 1e3);
        // one registration thread per client would take 10 answers: 20 s
        assertTrue(took.compareTo(Duration.ofSeconds(6)) < 0, took::toString);
        assertOnTheAgent(webapps);
    }

    @Test
    void aStopBehindAnAgentThatAnswersAfterThirtySecondsTakesAtMostTheDrainAndTwoSeconds() throws Exception {
        ServletContextHandler webapp = deploy("stopping", "consul.drain", "1s");
        await("registered").atMost(Duration.ofSeconds(10)).until(() -> allRegistered(List.of(webapp)));
        assertOnTheAgent(List.of(webapp));
        String id = registration(webapp).serviceId().orElseThrow();
        proxy.fault(null, "/", new Fault.Delay(Duration.ofSeconds(30)));
        long began = System.nanoTime();
        jetty.undeploy(webapp);
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.printf("agent answering after 30 s, %s: stop with consul.drain=1s took %.1f s%n", kind, took.toMillis() / 1e3);
        assertTrue(took.compareTo(Duration.ofMillis(1000 + 2000 + 500)) <= 0, took::toString);
        // the proxy forwarded the deregistration and held back only its answer
        await("the instance gone from the agent").atMost(Duration.ofSeconds(5))
                .until(() -> !consul.agent().services().containsKey(id));
    }

    @Test
    void anAgentAnsweringFiveHundredToEveryPutSeesAboutOneAttemptASecondForTwentyWebappsAndAllRegisterWithinARoundOfItsRecovery()
            throws Exception {
        proxy.fault("PUT", REGISTER, new Fault.ServerError("rpc error: No cluster leader"));
        List<ServletContextHandler> webapps = deployAll("sick", 20);
        await("the first refusals").atMost(Duration.ofSeconds(10)).until(() -> proxy.count("PUT", REGISTER) >= 1);
        double perSecond = registerAttemptsPerSecond(Duration.ofSeconds(6));
        System.out.printf("agent answering 500, %s: %.2f registration attempts per second for 20 webapps%n", kind, perSecond);
        assertTrue(perSecond <= 1.5, () -> perSecond + " per second");

        proxy.heal();
        long recovered = System.nanoTime();
        await("all twenty registered after the agent recovered").atMost(Duration.ofSeconds(10))
                .until(() -> allRegistered(webapps));
        Duration took = Duration.ofNanos(System.nanoTime() - recovered);
        System.out.printf("agent recovered from 500, %s: all 20 webapps registered in %.1f s%n", kind, took.toMillis() / 1e3);
        assertTrue(took.compareTo(ROUND_AND_MARGIN) <= 0, "within one round of the recovery: " + took);
        assertOnTheAgent(webapps);
    }

    @Test
    void connectionsResetOnEveryRegistrationAreRetriedAtTheSameBackoffWithoutAStackTraceAndAllRegisterOnceTheResetsStop()
            throws Exception {
        try (LogCapture log = new LogCapture()) {
            proxy.fault("PUT", REGISTER, new Fault.Reset());
            List<ServletContextHandler> webapps = deployAll("reset", 10);
            await("the first resets").atMost(Duration.ofSeconds(10)).until(() -> proxy.count("PUT", REGISTER) >= 1);
            double perSecond = registerAttemptsPerSecond(Duration.ofSeconds(6));
            System.out.printf("agent resetting every registration, %s: %.2f attempts per second for 10 webapps%n", kind, perSecond);
            assertTrue(perSecond <= 1.5, () -> perSecond + " per second");
            assertTrue(webapps.stream().noneMatch(w -> registration(w).state() == Registration.State.REGISTERED));

            proxy.heal();
            long recovered = System.nanoTime();
            await("all ten registered once the resets stopped").atMost(Duration.ofSeconds(10))
                    .until(() -> allRegistered(webapps));
            Duration took = Duration.ofNanos(System.nanoTime() - recovered);
            System.out.printf("resets stopped, %s: all 10 webapps registered in %.1f s%n", kind, took.toMillis() / 1e3);
            assertTrue(took.compareTo(ROUND_AND_MARGIN) <= 0, "within one round once the resets stopped: " + took);
            assertOnTheAgent(webapps);
            // an agent failure, not a bug: at most one WARNING a webapp (the webapps the agent's backoff
            // had not come to yet have none), naming the reset, the retries at DEBUG, nothing at ERROR
            List<String> warnings = log.messages(Level.WARNING).stream().filter(m -> m.startsWith("could not register ")).toList();
            assertTrue(!warnings.isEmpty() && warnings.size() <= 10 && warnings.stream().distinct().count() == warnings.size()
                    && warnings.stream().allMatch(m -> m.contains("retried in the background") && m.contains("Connection reset")),
                    warnings::toString);
            System.out.printf("resets, %s: %d webapps warned once each, in one line without a stack trace%n", kind, warnings.size());
            assertEquals(List.of(), log.messages(Level.SEVERE));
            List<LogRecord> withTraces = log.records().stream().filter(r -> r.getThrown() != null).toList();
            assertEquals(List.of(), withTraces.stream().map(r -> r.getMessage() + ": " + r.getThrown()).toList(),
                    "a reset is logged in a line, without a stack trace");
        }
    }
}
