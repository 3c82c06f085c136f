package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Liveness;
import io.github.consulservlet.Registration;
import io.github.consulservlet.SessionOptions;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.agent.AgentCheck;
import io.github.consulservlet.internal.client.agent.AgentService;
import io.github.consulservlet.internal.client.agent.CheckStatus;
import io.github.consulservlet.simulator.ConsulSimulator;

/**
 * The registration lifecycle of webapps in an embedded Jetty, against the Consul simulator:
 * registration after start, checks that follow liveness, drain and deregistration before the
 * webapp's servlets are destroyed, and recovery when the agent is down or forgets.
 */
class RegistrationLifecycleTest {
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
        jetty.closeAndAwaitSharedClients();
        consul.close();
        simulator.close();
    }

    private Map<String, String> params(boolean followed, String... keyValues) {
        Map<String, String> params = new HashMap<>();
        params.put("consul.agent", simulator.address());
        params.put("consul.check.interval", "1s");
        if (followed) {
            params.put(TestContainerAdapter.FOLLOW, "true");
        }
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return params;
    }

    private ServletContextHandler deploy(String path, Map<String, String> params) throws Exception {
        return deploy(EmbeddedJetty.webapp(path, params));
    }

    private ServletContextHandler deploy(ServletContextHandler context) throws Exception {
        deployed.add(context);
        return jetty.deploy(context);
    }

    private static Registration registration(ServletContextHandler context) {
        return ConsulContext.of(context.getServletContext()).registration();
    }

    private static String awaitRegistered(ServletContextHandler context) {
        await().atMost(Duration.ofSeconds(10)).until(() -> registration(context).state() == Registration.State.REGISTERED);
        return registration(context).serviceId().orElseThrow();
    }

    private static Optional<AgentCheck> check(String serviceId) {
        return Optional.ofNullable(consul.agent().checks().get("service:" + serviceId));
    }

    private static CheckStatus checkStatus(String serviceId) {
        return check(serviceId).map(AgentCheck::status).orElse(null);
    }

    @Test
    void registersOnceStartedWithNameIdPortTagsMetaAndAnHttpCheckThatTurnsPassing() throws Exception {
        AtomicReference<Map<String, AgentService>> seenAtServletInit = new AtomicReference<>();
        ServletContextHandler context = EmbeddedJetty.webapp("/shop", params(true,
                "consul.service.tags", "v2,blue", "consul.service.meta", "team=shop,tier=web"));
        ServletHolder early = new ServletHolder(new HttpServlet() {
            @Override
            public void init() {
                seenAtServletInit.set(consul.agent().services());
            }
        });
        early.setInitOrder(1);
        context.addServlet(early, "/early");
        deploy(context);

        String id = awaitRegistered(context);
        assertTrue(seenAtServletInit.get().values().stream().noneMatch(s -> s.name().equals("shop")),
                "not registered while the webapp was still starting");
        assertEquals("shop-" + Addresses.idPart(Addresses.hostName()) + "-" + jetty.port(), id,
                "<name>-<host>-<port>, the machine's name standing for a loopback address");
        AgentService service = consul.agent().service(id).orElseThrow();
        assertEquals("shop", service.name());
        assertEquals(jetty.port(), service.port());
        assertEquals(List.of("v2", "blue"), service.tags());
        assertEquals(Map.of("team", "shop", "tier", "web"), ownMeta(service.meta()), "the webapp's meta, beside the instance marker");
        assertEquals("127.0.0.1", service.address(), "the connector is bound to loopback only: advertised as it is");
        assertEquals("shop liveness", check(id).orElseThrow().name());
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.PASSING);
        await("the simulator probed our liveness endpoint").atMost(Duration.ofSeconds(5))
                .until(() -> simulator.journal().stream().anyMatch(e -> e.subject().equals("service:" + id)
                        && e.detail().startsWith("HTTP GET http://127.0.0.1:" + jetty.port() + "/shop/consul/health: 200 OK")));

        HttpResponse<String> health = jetty.get("/shop/consul/health");
        assertEquals(200, health.statusCode());
        assertEquals("UP\n", health.body());
        assertEquals("no-store", health.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void httpCheckFollowsTheLivenessProbesTheWebappAdds() throws Exception {
        ServletContextHandler context = deploy("/probes", params(true));
        String id = awaitRegistered(context);
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.PASSING);

        registration(context).addLivenessProbe("cache", () -> Liveness.warning("cache cold"));
        assertEquals(429, jetty.get("/probes/consul/health").statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.WARNING);

        registration(context).addLivenessProbe("database", () -> {
            throw new IllegalStateException("pool exhausted");
        });
        HttpResponse<String> down = jetty.get("/probes/consul/health");
        assertEquals(503, down.statusCode());
        assertEquals("DOWN\n", down.body(), "the endpoint says nothing of what failed");
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.CRITICAL);

        registration(context).removeLivenessProbe("database");
        registration(context).removeLivenessProbe("cache");
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.PASSING);
    }

    @Test
    void ttlModeReportsLivenessInProcessAndTurnsCriticalWhenAProbeFails() throws Exception {
        ServletContextHandler context = deploy("/ttl", params(true, "consul.check.mode", "ttl", "consul.check.ttl", "3s"));
        String id = awaitRegistered(context);
        await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus(id) == CheckStatus.PASSING);

        registration(context).addLivenessProbe("database", () -> Liveness.down("no connection"));
        await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus(id) == CheckStatus.CRITICAL);
        assertEquals("DOWN: database: no connection", check(id).orElseThrow().output());

        registration(context).removeLivenessProbe("database");
        await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus(id) == CheckStatus.PASSING);
        // kept passing by the reports, well past the TTL
        long reports = simulator.journal().stream().filter(e -> e.subject().equals("service:" + id)).count();
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.journal().stream()
                .filter(e -> e.subject().equals("service:" + id)).count() >= reports + 4);
        assertEquals(CheckStatus.PASSING, checkStatus(id));
    }

    @Test
    void aProbeThatThrowsAnErrorIsDownAndAskedAgainAtTheNextReport() throws Exception {
        ServletContextHandler context = deploy("/erring", params(true, "consul.check.mode", "ttl", "consul.check.ttl", "3s"));
        String id = awaitRegistered(context);
        AtomicInteger calls = new AtomicInteger();
        registration(context).addLivenessProbe("recursive", () -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                throw new StackOverflowError();
            }
            if (call == 2) {
                throw new AssertionError("invariant broken");
            }
            return Liveness.up();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.journal().stream().anyMatch(e ->
                e.subject().equals("service:" + id) && e.detail().contains("DOWN: recursive: AssertionError: invariant broken")));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 3 && checkStatus(id) == CheckStatus.PASSING);
    }

    @Test
    void drainsAndDeregistersBeforeTheServletsAreDestroyedAnswering503Meanwhile() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Boolean> registeredAtDestroy = new AtomicReference<>();
        AtomicReference<String> serviceId = new AtomicReference<>();
        ServletContextHandler context = EmbeddedJetty.webapp("/drain", params(true, "consul.drain", "20s"));
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                response.getWriter().write("done");
            }

            @Override
            public void destroy() {
                registeredAtDestroy.set(consul.agent().services().containsKey(serviceId.get()));
            }
        }), "/slow");
        deploy(context);
        serviceId.set(awaitRegistered(context));
        TestContainerAdapter.Followed followed = TestContainerAdapter.followed("/drain").orElseThrow();

        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return jetty.get("/drain/slow");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> followed.inFlight.get() == 1);
        Registration registration = registration(context);
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                jetty.undeploy(context);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> registration.state() == Registration.State.DRAINING);
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.agent().checks().containsKey("_service_maintenance:" + serviceId.get()));
        HttpResponse<String> health = jetty.get("/drain/consul/health");
        assertEquals(503, health.statusCode());
        assertEquals("DOWN\n", health.body());
        assertTrue(consul.agent().services().containsKey(serviceId.get()), "registered, in maintenance, while a request is in flight");
        assertFalse(stopping.isDone());
        // a second stop (the server's shutdown during this undeploy) returns only once the first is done
        CompletableFuture<Void> secondStop = CompletableFuture.runAsync(followed.lifecycle::stopping);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !secondStop.isDone());

        release.countDown();
        assertEquals("done", slow.get(10, TimeUnit.SECONDS).body());
        stopping.get(10, TimeUnit.SECONDS);
        secondStop.get(10, TimeUnit.SECONDS);
        assertEquals(Boolean.FALSE, registeredAtDestroy.get(), "deregistered before the servlets were destroyed");
        assertEquals(Registration.State.DEREGISTERED, registration.state());
        assertFalse(consul.agent().services().containsKey(serviceId.get()));
    }

    @Test
    void aDrainWithNothingInFlightEndsAtOnce() throws Exception {
        ServletContextHandler context = deploy("/quick", params(true, "consul.drain", "1m"));
        String id = awaitRegistered(context);
        long started = System.nanoTime();
        jetty.undeploy(context);
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "did not wait for consul.drain");
        assertFalse(consul.agent().services().containsKey(id));
    }

    @Test
    void agentDownAtStartTheWebappStartsAndIsRegisteredWithinTwoSecondsOfTheAgentComingBack() throws Exception {
        simulator.goDown();
        ServletContextHandler context;
        try {
            context = deploy("/patient", params(true));
            assertEquals(200, jetty.get("/patient/consul/health").statusCode(), "the webapp runs");
            Registration registration = registration(context);
            await().atMost(Duration.ofSeconds(5)).until(() -> registration.state() == Registration.State.REGISTERING);
            // retried, with the backoff growing to its cap, and still waiting for the agent
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> registration.state() == Registration.State.REGISTERING);
        } finally {
            simulator.comeUp();
        }
        ServletContextHandler started = context;
        // the agent has the service before the registrar has read the agent's answer
        await().atMost(Duration.ofSeconds(2)).until(() -> simulator.serviceIds().contains(registration(started).serviceId().orElseThrow())
                && registration(started).state() == Registration.State.REGISTERED);
    }

    @Test
    void anAgentThatForgetsEverythingGetsTheServiceBackWithinOneCheckInterval() throws Exception {
        ServletContextHandler http = deploy("/forgotten", params(true, "consul.check.interval", "2s"));
        ServletContextHandler ttl = deploy("/forgotten-ttl", params(true, "consul.check.mode", "ttl", "consul.check.ttl", "3s"));
        String httpId = awaitRegistered(http);
        String ttlId = awaitRegistered(ttl);
        registration(http).enableMaintenance("kept across a re-registration");

        simulator.forgetAgentState();
        assertFalse(simulator.serviceIds().contains(httpId));
        await().atMost(Duration.ofMillis(2_500)).until(() -> simulator.serviceIds().contains(httpId));
        await().atMost(Duration.ofMillis(3_500)).until(() -> simulator.serviceIds().contains(ttlId));
        await().atMost(Duration.ofSeconds(2)).until(() -> consul.agent().checks().containsKey("_service_maintenance:" + httpId));
        await().atMost(Duration.ofSeconds(5)).until(() -> checkStatus(ttlId) == CheckStatus.PASSING);
    }

    @Test
    void withoutAnAdapterItRegistersFromContextInitializedAndDeregistersFromContextDestroyed() throws Exception {
        ServletContextHandler context = deploy("/plain", params(false, "consul.service.port", Integer.toString(jetty.port())));
        String id = awaitRegistered(context);
        assertEquals(jetty.port(), consul.agent().service(id).orElseThrow().port());
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.PASSING);

        jetty.undeploy(context);
        assertFalse(consul.agent().services().containsKey(id));
        assertNull(context.getServletContext().getAttribute(ConsulContext.ATTRIBUTE));
    }

    @Test
    void withoutAnAdapterThePortIsRequired() throws Exception {
        ServletContextHandler context = EmbeddedJetty.webapp("/portless", params(false, "consul.fail-webapp-on-error", "true"));
        Exception failure = assertThrows(Exception.class, () -> deploy(context));
        assertTrue(messages(failure).contains("consul-servlet: webapp /portless not deployed: consul.service.port is not set;"
                + " expected an integer from 1 to 65535: no container adapter (Tomcat's ConsulValve, Jetty's consul module)"
                + " reports this webapp's port"), messages(failure));
    }

    @Test
    void anInvalidSettingCostsOnlyThatWebappsRegistrationWithOneLineAndNoTrace() throws Exception {
        ServletContextHandler good = deploy("/good", params(true));
        ServletContextHandler bad = EmbeddedJetty.webapp("/bad", params(true, "consul.check.interval", "often"));
        bad.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
                response.getWriter().print("served");
            }
        }), "/page");
        try (LogCapture logs = new LogCapture()) {
            deploy(bad);
            List<String> errors = logs.messages(java.util.logging.Level.WARNING);
            assertEquals(List.of("consul-servlet: /bad is served but not registered, and has no ConsulContext:"
                    + " consul.check.interval 'often' (context-param) is not a duration; expected a duration of 1s or more:"
                    + " a number with a unit, such as 500ms, 10s or 1m30s"), errors);
            assertTrue(logs.records().stream().allMatch(r -> r.getThrown() == null), "no stack trace");
        }
        assertTrue(bad.isAvailable());
        assertEquals("served", jetty.get("/bad/page").body());
        assertNull(bad.getServletContext().getAttribute(ConsulContext.ATTRIBUTE));
        assertTrue(TestContainerAdapter.followed("/bad").isEmpty(), "the adapter was told to forget it");
        awaitRegistered(good);
        assertEquals(200, jetty.get("/good/consul/health").statusCode());
        assertTrue(consul.agent().services().values().stream().noneMatch(svc -> svc.name().equals("bad")));
    }

    @Test
    void failWebappOnErrorFailsTheWebappWithTheSettingTheValueAndTheAcceptedForm() throws Exception {
        ServletContextHandler bad = EmbeddedJetty.webapp("/bad", params(true, "consul.check.interval", "often",
                "consul.fail-webapp-on-error", "true"));
        Exception failure = assertThrows(Exception.class, () -> deploy(bad));
        assertTrue(messages(failure).contains("consul-servlet: webapp /bad not deployed: consul.check.interval 'often'"
                + " (context-param) is not a duration; expected a duration of 1s or more: a number with a unit, such as"
                + " 500ms, 10s or 1m30s"), messages(failure));
        assertFalse(bad.isAvailable());
        assertTrue(TestContainerAdapter.followed("/bad").isEmpty(), "the adapter was told to forget it");
    }

    @Test
    void aWebappTheContainerExcludesIsServedButNeverRegistered() throws Exception {
        TestContainerAdapter.containerSettings = Map.of("consul.webapps.exclude", "/docs,/examples/**");
        try (LogCapture logs = new LogCapture()) {
            ServletContextHandler excluded = deploy("/docs", params(true));
            ServletContextHandler included = deploy("/shop", params(true));
            awaitRegistered(included);
            assertNull(excluded.getServletContext().getAttribute(ConsulContext.ATTRIBUTE));
            assertTrue(excluded.isAvailable());
            assertEquals(404, jetty.get("/docs/consul/health").statusCode(), "no liveness endpoint either");
            assertTrue(TestContainerAdapter.followed("/docs").isEmpty());
            assertTrue(consul.agent().services().values().stream().noneMatch(svc -> svc.name().equals("docs")));
            assertTrue(logs.messages(java.util.logging.Level.INFO).contains("consul-servlet: /docs matches"
                    + " consul.webapps.exclude '/docs': not registered, no ConsulContext"), logs.messages(java.util.logging.Level.INFO).toString());
        } finally {
            TestContainerAdapter.containerSettings = Map.of();
        }
    }

    @Test
    void containerSettingsApplyUnderTheWebappsOwn() throws Exception {
        TestContainerAdapter.containerSettings = Map.of("consul.service.tags", "from-container", "consul.service.meta", "a=b");
        try {
            ServletContextHandler context = deploy("/layered", params(true, "consul.service.meta", "a=c"));
            String id = awaitRegistered(context);
            AgentService service = consul.agent().service(id).orElseThrow();
            assertEquals(List.of("from-container"), service.tags());
            assertEquals(Map.of("a", "c"), ownMeta(service.meta()));
        } finally {
            TestContainerAdapter.containerSettings = Map.of();
        }
    }

    @Test
    void consulEnabledFalseLeavesTheWebappAlone() throws Exception {
        ServletContextHandler context = deploy("/off", params(true, "consul.enabled", "false"));
        assertNull(context.getServletContext().getAttribute(ConsulContext.ATTRIBUTE));
        assertThrows(IllegalStateException.class, () -> ConsulContext.of(context.getServletContext()));
        assertEquals(404, jetty.get("/off/consul/health").statusCode());
        assertTrue(TestContainerAdapter.followed("/off").isEmpty());
        assertTrue(consul.agent().services().values().stream().noneMatch(s -> s.name().equals("off")));
    }

    @Test
    void theWebappsOwnLivenessEndpointIsProbedWhenNamed() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        ServletContextHandler context = EmbeddedJetty.webapp("/own", params(true, "consul.check.path", "/status/live"));
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                response.setStatus(status.get());
            }
        }), "/status/*");
        deploy(context);
        String id = awaitRegistered(context);
        assertFalse(context.getServletContext().getServletRegistrations().containsKey("consul-servlet-liveness"));
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.PASSING);
        status.set(500);
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.CRITICAL);
    }

    @Test
    void ttlModeCannotAskAnEndpointTheWebappServes() {
        ServletContextHandler context = EmbeddedJetty.webapp("/own-ttl", params(true, "consul.check.path", "/live", "consul.check.mode", "ttl",
                "consul.fail-webapp-on-error", "true"));
        context.addServlet(new ServletHolder(new HttpServlet() {
        }), "/live");
        Exception failure = assertThrows(Exception.class, () -> deploy(context));
        assertTrue(messages(failure).contains("consul.check.path '/live' is served by the webapp itself, and consul.check.mode ttl"
                + " can only ask consul-servlet's own liveness; expected consul.check.mode http"), messages(failure));
    }

    @Test
    void maintenanceFromTheWebapp() throws Exception {
        ServletContextHandler context = deploy("/maint", params(true, "consul.check.mode", "none"));
        String id = awaitRegistered(context);
        assertTrue(check(id).isEmpty(), "mode none registers no check");
        registration(context).enableMaintenance("upgrading");
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.agent().checks().containsKey("_service_maintenance:" + id));
        assertTrue(simulator.journal(io.github.consulservlet.simulator.JournalEvent.Kind.MAINTENANCE_ENABLED).stream()
                .anyMatch(e -> e.subject().equals(id) && e.detail().equals("upgrading")), "the reason reaches Consul");
        registration(context).disableMaintenance();
        await().atMost(Duration.ofSeconds(5)).until(() -> !consul.agent().checks().containsKey("_service_maintenance:" + id));
    }

    @Test
    void stoppingDestroysTheSessionsTheWebappCreatedAndStopsItsWatches() throws Exception {
        ServletContextHandler context = deploy("/sessions", params(true));
        awaitRegistered(context);
        ConsulContext webappConsul = ConsulContext.of(context.getServletContext());
        String owned = webappConsul.sessions().create(SessionOptions.builder().name("leader").build());
        String kept = webappConsul.sessions().create(SessionOptions.builder().name("kept").keepAfterClose().build());
        assertTrue(webappConsul.kv().set("locks/sessions", "me", io.github.consulservlet.KvWriteOptions.acquire(owned)));
        List<Object> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        webappConsul.kv().watch("watched/sessions", entry -> heard.add(entry));
        await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty());

        jetty.undeploy(context);
        assertTrue(consul.sessions().info(owned).isEmpty(), "destroyed with the webapp");
        assertTrue(consul.sessions().info(kept).isPresent(), "created to outlive the webapp");
        assertTrue(consul.kv().get("locks/sessions").orElseThrow().session().isEmpty(), "its lock released at once");
        int before = heard.size();
        consul.kv().set("watched/sessions", "changed");
        await("the webapp's watch stopped").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> heard.size() == before);
        consul.sessions().destroy(kept);
    }

    @Test
    void stoppingReleasesTheWebappsLocksAndDestroysTheirSessionsBeforeDeregistering() throws Exception {
        ServletContextHandler context = deploy("/locks", params(true));
        String id = awaitRegistered(context);
        ConsulContext webappConsul = ConsulContext.of(context.getServletContext());
        io.github.consulservlet.ConsulLock lock = webappConsul.locks().lock("locks/webapp");
        io.github.consulservlet.ConsulSemaphore slot = webappConsul.locks().semaphore("locks/webapp-pool", 2);
        assertTrue(lock.tryAcquire());
        assertTrue(slot.tryAcquire());
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.github.consulservlet.Leadership leadership = webappConsul.locks().leadership("locks/webapp-leader",
                new io.github.consulservlet.LeaderListener() {
                    @Override
                    public void elected(io.github.consulservlet.ConsulLock held) {
                        heard.add("elected");
                    }

                    @Override
                    public void revoked(io.github.consulservlet.LockLost why) {
                        heard.add("revoked " + why.cause());
                    }
                });
        await().atMost(Duration.ofSeconds(5)).until(leadership::isLeader);
        List<String> sessions = List.of(lock.session().orElseThrow(), slot.session().orElseThrow(),
                consul.kv().get("locks/webapp-leader").orElseThrow().session().orElseThrow());

        jetty.undeploy(context);
        for (String session : sessions) {
            assertTrue(consul.sessions().info(session).isEmpty(), "destroyed with the webapp: " + session);
        }
        assertTrue(consul.kv().get("locks/webapp").orElseThrow().session().isEmpty());
        assertTrue(consul.kv().get("locks/webapp-leader").orElseThrow().session().isEmpty());
        assertTrue(consul.kv().get("locks/webapp-pool/" + sessions.get(1)).isEmpty(), "its contender key gone");
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.equals(List.of("elected", "revoked RELEASED")));
        List<io.github.consulservlet.simulator.JournalEvent> journal = simulator.journal();
        int deregistered = indexOf(journal, io.github.consulservlet.simulator.JournalEvent.Kind.SERVICE_DEREGISTERED, id);
        for (String session : sessions) {
            int destroyed = indexOf(journal, io.github.consulservlet.simulator.JournalEvent.Kind.SESSION_DESTROYED, session);
            assertTrue(destroyed >= 0 && destroyed < deregistered, "session " + session + " destroyed before deregistration: " + journal);
        }
    }

    private static int indexOf(List<io.github.consulservlet.simulator.JournalEvent> journal,
            io.github.consulservlet.simulator.JournalEvent.Kind kind, String subject) {
        for (int i = 0; i < journal.size(); i++) {
            if (journal.get(i).kind() == kind && journal.get(i).subject().equals(subject)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aHungLivenessProbeNeitherBlocksOtherWebappsNorTheStop() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        try {
            ServletContextHandler stuck = deploy("/stuck", params(true, "consul.check.mode", "ttl", "consul.check.ttl", "3s"));
            String stuckId = awaitRegistered(stuck);
            Object appLock = new Object();
            registration(stuck).addLivenessProbe("db", () -> {
                synchronized (appLock) { // the webapp's own lock, held by a request that turns maintenance on
                    hung.await();
                }
                return Liveness.up();
            });
            synchronized (appLock) {
                registration(stuck).enableMaintenance("held under the webapp's own lock");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.journal().stream().anyMatch(e ->
                    e.subject().equals("service:" + stuckId) && e.detail().contains("DOWN: the liveness probes have not answered for")));
            assertEquals(CheckStatus.CRITICAL, checkStatus(stuckId));
            await().atMost(Duration.ofSeconds(5)).until(() -> consul.agent().checks().containsKey("_service_maintenance:" + stuckId));

            // another ttl webapp of the same agent: its probes are asked on a thread of their own
            ServletContextHandler other = deploy("/unaffected", params(true, "consul.check.mode", "ttl", "consul.check.ttl", "3s"));
            String otherId = awaitRegistered(other);
            await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(otherId) == CheckStatus.PASSING);
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> checkStatus(otherId) == CheckStatus.PASSING);
            long started = System.nanoTime();
            jetty.undeploy(stuck);
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10), "the stop did not wait for the probe");
            assertFalse(consul.agent().services().containsKey(stuckId));
        } finally {
            hung.countDown();
        }
    }

    @Test
    void aWebappWithACatchAllServletStillGetsTheLivenessEndpoint() throws Exception {
        ServletContextHandler context = EmbeddedJetty.webapp("/spa", params(true));
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.getWriter().write("index.html");
            }
        }), "/*");
        deploy(context);
        String id = awaitRegistered(context);
        assertEquals("UP\n", jetty.get("/spa/consul/health").body());
        assertEquals("index.html", jetty.get("/spa/anything").body());
        await().atMost(Duration.ofSeconds(10)).until(() -> checkStatus(id) == CheckStatus.PASSING);
    }

    @Test
    void aRetriedDeregistrationNeverRemovesTheInstanceThatReplacedIt() throws Exception {
        ServletContextHandler first = deploy("/phoenix", params(true));
        String id = awaitRegistered(first);
        simulator.failRequests(500, "rpc error: no leader");
        jetty.undeploy(first);
        simulator.clearFaults();
        ServletContextHandler second = deploy("/phoenix", params(true));
        assertEquals(id, awaitRegistered(second), "the same default ID");
        await("the old instance's retry does not deregister the new one").during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5)).until(() -> simulator.serviceIds().contains(id));
    }

    @Test
    void anInstanceThatStopsLeavesItsIdToTheOneThatTookItOver() throws Exception {
        // two versions of one webapp at one context path, as Tomcat's parallel deployment runs them
        String port = Integer.toString(jetty.port());
        ServletContextHandler v1 = deploy("/app", params(false, "consul.service.name", "app", "consul.service.id", "app-twin",
                "consul.service.port", port));
        awaitRegistered(v1);
        ServletContextHandler v2 = deploy("/app", params(false, "consul.service.name", "app", "consul.service.id", "app-twin",
                "consul.service.port", port));
        awaitRegistered(v2);
        jetty.undeploy(v1);
        assertTrue(simulator.serviceIds().contains("app-twin"), "v2 still registered");
        assertFalse(consul.agent().checks().containsKey("_service_maintenance:app-twin"), "and not put in maintenance by v1");
        jetty.undeploy(v2);
        assertFalse(simulator.serviceIds().contains("app-twin"));
    }

    @Test
    void maintenanceAskedWhileTheAgentFailsIsAppliedOnceItRecovers() throws Exception {
        ServletContextHandler context = deploy("/maint-retry", params(true, "consul.check.mode", "none"));
        String id = awaitRegistered(context);
        simulator.failRequests(500, "rpc error: no leader");
        registration(context).enableMaintenance("deploying the database");
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.receivedRequests() > 0);
        simulator.clearFaults();
        await().atMost(Duration.ofSeconds(10)).until(() -> consul.agent().checks().containsKey("_service_maintenance:" + id));
    }

    @Test
    void aStopDuringASlowRegistrationLeavesNothingRegistered() throws Exception {
        simulator.latency(Duration.ofMillis(700));
        ServletContextHandler context = deploy("/racing", params(true));
        Registration registration = registration(context);
        await().atMost(Duration.ofSeconds(5)).until(() -> registration.state() == Registration.State.REGISTERING);
        jetty.undeploy(context);
        simulator.clearFaults();
        assertEquals(Registration.State.DEREGISTERED, registration.state());
        await("nothing registered, nor registered later").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> simulator.serviceIds().stream().noneMatch(id -> id.startsWith("racing-")));
    }

    @Test
    void aDeploymentThatFailsAfterConsulServletReleasesEverything() throws Exception {
        ServletContextHandler anchor = deploy("/anchor-fail", params(true));
        awaitRegistered(anchor);
        int clients = ClientPool.SHARED.clientCount();
        ServletContextHandler failing = EmbeddedJetty.webapp("/fails-later", params(true, "consul.token", "a-token-of-its-own"));
        deployed.add(failing);
        assertThrows(Exception.class, () -> jetty.deploy(failing, "another initializer fails"));
        assertEquals(clients, ClientPool.SHARED.clientCount(), "its client was let go (the adapter reported the failure)");
        assertTrue(TestContainerAdapter.followed("/fails-later").isEmpty());
    }

    @Test
    void withoutAnAdapterAFailedDeploymentIsReleasedOnceTheWebappIsCollected() throws Exception {
        int clients = ClientPool.SHARED.clientCount();
        deployAndDropAFailingWebapp();
        assertEquals(clients + 1, ClientPool.SHARED.clientCount(), "contextDestroyed never came");
        await("released once the failed webapp is collected").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    System.gc();
                    ClientPool.SHARED.closeAbandoned();
                    return ClientPool.SHARED.clientCount() == clients;
                });
    }

    /** In a method of its own, so that nothing on the test's stack keeps the webapp reachable. */
    private void deployAndDropAFailingWebapp() {
        ServletContextHandler failing = EmbeddedJetty.webapp("/fails-alone", params(false,
                "consul.service.port", Integer.toString(jetty.port()), "consul.token", "a-token-of-its-own"));
        assertThrows(Exception.class, () -> jetty.deploy(failing, "another initializer fails"));
        jetty.forget(failing);
    }

    @Test
    void aFailedDeregistrationIsRetriedUntilTheAgentAccepts() throws Exception {
        ServletContextHandler context = deploy("/stubborn", params(true));
        String id = awaitRegistered(context);
        simulator.failRequests(500, "rpc error: leadership lost");
        jetty.undeploy(context);
        assertTrue(simulator.serviceIds().contains(id));
        simulator.clearFaults();
        await().atMost(Duration.ofSeconds(10)).until(() -> !simulator.serviceIds().contains(id));
    }

    @Test
    void webappsOnTheSameAgentShareOneClient() throws Exception {
        ServletContextHandler one = deploy("/one", params(true));
        int clients = ClientPool.SHARED.clientCount();
        ServletContextHandler two = deploy("/two", params(false, "consul.service.port", Integer.toString(jetty.port())));
        awaitRegistered(one);
        awaitRegistered(two);
        assertEquals(clients, ClientPool.SHARED.clientCount(), "the same agent and credentials: the same client");
        ServletContextHandler other = deploy("/three", params(true, "consul.token", "another-credential"));
        assertEquals(clients + 1, ClientPool.SHARED.clientCount());
        jetty.undeploy(other);
        assertEquals(clients, ClientPool.SHARED.clientCount(), "closed with its last webapp");
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t).append(" | ");
            for (Throwable suppressed : t.getSuppressed()) {
                all.append(suppressed).append(" | ");
            }
        }
        return all.toString();
    }

    /** {@code meta} without the instance marker every registration carries. */
    private static Map<String, String> ownMeta(Map<String, String> meta) {
        Map<String, String> own = new java.util.HashMap<>(meta);
        own.keySet().removeIf(key -> key.startsWith("servlet-registrar-"));
        return own;
    }
}
