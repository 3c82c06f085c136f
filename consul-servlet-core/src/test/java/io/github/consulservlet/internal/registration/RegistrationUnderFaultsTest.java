package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockserver.model.HttpRequest.request;
import static org.mockserver.model.HttpResponse.response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockserver.integration.ClientAndServer;
import org.mockserver.model.HttpRequest;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Registration;

/**
 * Registration behind a faulty agent (a MockServer that answers late, or 500): webapps do not
 * wait for each other, a stop does not wait for the agent beyond its bound, and a failing agent
 * sees one client's attempts spaced, not one stream per webapp. Each test prints its figure.
 */
class RegistrationUnderFaultsTest {
    /**
     * One round of the agent's backoff (at most 2 s) and the registrations it lets go, with 2 s
     * to spare for a loaded machine: the bar for "every webapp registered once the agent recovers".
     */
    private static final Duration ROUND_AND_MARGIN = Duration.ofSeconds(4);

    private static final HttpRequest REGISTER = request().withMethod("PUT").withPath("/v1/agent/service/register");
    private static ClientAndServer agent;
    private static EmbeddedJetty jetty;
    private final List<ServletContextHandler> deployed = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        agent = EmbeddedJetty.mockAgent();
        jetty = new EmbeddedJetty();
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.closeAndAwaitSharedClients();
        agent.stop();
    }

    @BeforeEach
    void reset() {
        agent.reset();
    }

    @AfterEach
    void undeployAll() throws Exception {
        agent.reset();
        agent.when(request()).respond(response().withStatusCode(200).withBody("{}"));
        jetty.undeployStarted(deployed);
    }

    private ServletContextHandler deploy(String path, String... keyValues) throws Exception {
        Map<String, String> params = new HashMap<>(Map.of("consul.agent", "127.0.0.1:" + agent.getPort(),
                TestContainerAdapter.FOLLOW, "true", "consul.check.mode", "ttl", "consul.drain", "0"));
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        ServletContextHandler context = jetty.deploy(EmbeddedJetty.webapp(path, params));
        deployed.add(context);
        return context;
    }

    private static int registrations() {
        return agent.retrieveRecordedRequests(REGISTER).length;
    }

    private static boolean allRegistered(List<ServletContextHandler> webapps) {
        return webapps.stream().allMatch(w ->
                ConsulContext.of(w.getServletContext()).registration().state() == Registration.State.REGISTERED);
    }

    @Test
    void tenWebappsBehindAnAgentThatAnswersAfterTwoSecondsAreAllRegisteredInAboutOneAnswer() throws Exception {
        agent.when(request().withPath("/v1/agent/services")).respond(response().withStatusCode(200).withBody("{}"));
        agent.when(REGISTER).respond(response().withStatusCode(200).withDelay(TimeUnit.SECONDS, 2));
        agent.when(request()).respond(response().withStatusCode(200));
        long began = System.nanoTime();
        List<ServletContextHandler> webapps = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            webapps.add(deploy("/slow" + i));
        }
        await("all ten registered").atMost(Duration.ofSeconds(30)).until(() -> allRegistered(webapps));
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.println("slow agent (2 s per answer): 10 webapps all registered after " + took.toMillis() + " ms");
        // one registration thread per client would take 10 answers: 20 s
        assertTrue(took.compareTo(Duration.ofSeconds(6)) < 0, took::toString);
    }

    @Test
    void aStopBehindAnAgentThatAnswersAfterThirtySecondsTakesAtMostTheDrainAndTwoSeconds() throws Exception {
        agent.when(request().withPath("/v1/agent/services")).respond(response().withStatusCode(200).withBody("{}"));
        agent.when(REGISTER).respond(response().withStatusCode(200));
        agent.when(request().withPath("/v1/agent/check/.*")).respond(response().withStatusCode(200));
        ServletContextHandler webapp = deploy("/stopping", "consul.drain", "1s");
        await("registered").atMost(Duration.ofSeconds(10)).until(() -> allRegistered(List.of(webapp)));
        agent.reset();
        agent.when(request()).respond(response().withStatusCode(200).withDelay(TimeUnit.SECONDS, 30));
        long began = System.nanoTime();
        jetty.undeploy(webapp);
        deployed.remove(webapp);
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.println("agent answering after 30 s: stop with consul.drain=1s took " + took.toMillis() + " ms");
        // before: the lock wait, maintenance and deregistration, each up to a read timeout (10 s)
        assertTrue(took.compareTo(Duration.ofMillis(1000 + 2000 + 500)) <= 0, took::toString);
    }

    @Test
    void anAgentAnsweringFiveHundredToEveryPutSeesAboutOneAttemptASecondForTwentyWebappsAndAllRegisterWithinARoundOfItsRecovery()
            throws Exception {
        agent.when(request().withPath("/v1/agent/services")).respond(response().withStatusCode(200).withBody("{}"));
        agent.when(REGISTER).respond(response().withStatusCode(500).withBody("rpc error: No cluster leader"));
        List<ServletContextHandler> webapps = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            webapps.add(deploy("/sick" + i));
        }
        await("the agent's first refusals").atMost(Duration.ofSeconds(10)).until(() -> registrations() >= 1);
        // past the first attempts the webapps made before any had failed
        await("the first round over").pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        int before = registrations();
        long began = System.nanoTime();
        await("a 10 s window").pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
        double seconds = (System.nanoTime() - began) / 1e9;
        double perSecond = (registrations() - before) / seconds;
        System.out.printf("agent answering 500: %.2f registration attempts per second for 20 webapps%n", perSecond);
        // before: about 1.3 per second per webapp, 26 per second for twenty
        assertTrue(perSecond <= 1.5, () -> perSecond + " per second");

        agent.reset();
        agent.when(request()).respond(response().withStatusCode(200).withBody("{}"));
        long recovered = System.nanoTime();
        await("all twenty registered after the agent recovered").atMost(Duration.ofSeconds(10))
                .until(() -> allRegistered(webapps));
        Duration took = Duration.ofNanos(System.nanoTime() - recovered);
        System.out.println("agent recovered: all 20 webapps registered after " + took.toMillis() + " ms");
        assertTrue(took.compareTo(ROUND_AND_MARGIN) <= 0, "within one round of the recovery: " + took);
    }
}
