package io.github.consulservlet.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Registration;
import io.github.consulservlet.internal.registration.ConsulServletInitializer;
import io.github.consulservlet.simulator.ConsulSimulator;
import io.github.consulservlet.simulator.JournalEvent;
import io.github.consulservlet.spi.ContainerAdapter;

/**
 * The Jetty adapter in an embedded Jetty 12.1 (ee10, 127.0.0.1, port 0) against the Consul
 * simulator: consul-servlet's initializer finds {@link JettyContainerAdapter} through
 * {@code META-INF/services}, as in a jetty-base, and the {@link ConsulJettyListener} bean reports
 * each webapp's start, drain and stop.
 */
class ConsulJettyListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ConsulSimulator simulator;
    private final HttpClient http = HttpClient.newHttpClient();
    private Server server;
    private ServerConnector connector;
    private ContextHandlerCollection contexts;
    private ConsulJettyListener listener;

    @BeforeAll
    static void startAgent() {
        simulator = ConsulSimulator.start();
    }

    @AfterAll
    static void stopAgent() {
        simulator.close();
    }

    @BeforeEach
    void createServer() {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        contexts = new ContextHandlerCollection();
        server.setHandler(contexts);
        listener = new ConsulJettyListener(server, Map.of("consul.agent", simulator.address(), "consul.check.interval", "1s",
                "consul.drain", "60s"));
        server.addBean(listener);
    }

    @AfterEach
    void stopServer() throws Exception {
        server.stop();
        simulator.clearFaults();
    }

    /** A webapp with consul-servlet's initializer and a servlet at {@code /work}. */
    private static ServletContextHandler webapp(String path, Work work, String... params) {
        ServletContextHandler context = new ServletContextHandler(path);
        for (int i = 0; i < params.length; i += 2) {
            context.setInitParameter(params[i], params[i + 1]);
        }
        context.addServlet(new ServletHolder(work), "/work");
        context.addServletContainerInitializer(new ConsulServletInitializer());
        return context;
    }

    /** Adds and starts a context as jetty-deploy's {@code StandardDeployer} does. */
    private void deploy(ServletContextHandler context) throws Exception {
        contexts.addHandler(context);
        if (contexts.isRunning()) {
            context.start();
        }
    }

    private static Registration registration(ServletContextHandler context) {
        return ConsulContext.of(context.getServletContext()).registration();
    }

    private static String awaitRegistered(ServletContextHandler context) {
        await().atMost(WAIT).until(() -> registration(context).state() == Registration.State.REGISTERED);
        return registration(context).serviceId().orElseThrow();
    }

    private static boolean inMaintenance(String serviceId) {
        return simulator.checkStatus("_service_maintenance:" + serviceId).isPresent();
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<JournalEvent.Kind> journal(String serviceId) {
        return simulator.journal().stream().filter(e -> e.subject().equals(serviceId)).map(JournalEvent::kind).toList();
    }

    @Test
    void registersWithTheConnectorsRealPortOnceTheServerHasStarted() throws Exception {
        ServletContextHandler shop = webapp("/shop", new Work());
        deploy(shop);
        server.start();

        String id = awaitRegistered(shop);
        assertTrue(id.startsWith("shop-") && id.endsWith("-" + connector.getLocalPort()), id);
        assertTrue(simulator.serviceIds().contains(id));
        await().atMost(WAIT).until(() -> simulator.checkStatus("service:" + id).equals(Optional.of("passing")));
        assertEquals(List.of(JournalEvent.Kind.SERVICE_REGISTERED), journal(id));
    }

    @Test
    void registersAWebappDeployedLaterAtOnce() throws Exception {
        server.start();
        ServletContextHandler later = webapp("/later", new Work(), "consul.service.tags", "hot");
        deploy(later);

        String id = awaitRegistered(later);
        assertTrue(id.endsWith("-" + connector.getLocalPort()), id);
    }

    @Test
    void aContextStoppedInPlaceFinishesItsRequestsThenLeavesConsulBeforeItsServletsAreDestroyed() throws Exception {
        server.start();
        Work work = new Work();
        ServletContextHandler cart = webapp("/cart", work);
        deploy(cart);
        String id = awaitRegistered(cart);
        CompletableFuture<HttpResponse<String>> inFlight = get("/cart/work?hold");
        assertTrue(work.entered.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> undeploy = CompletableFuture.runAsync(() -> stop(cart)); // StandardDeployer.undeploy
        await().atMost(WAIT).until(() -> inMaintenance(id));
        assertTrue(simulator.serviceIds().contains(id), "still registered while its request is in flight");
        assertFalse(undeploy.isDone());

        work.release.countDown();
        assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).statusCode());
        undeploy.get(10, TimeUnit.SECONDS);
        assertFalse(work.servicesAtDestroy.get().contains(id), "deregistered before destroy()");
        assertEquals(List.of(JournalEvent.Kind.SERVICE_REGISTERED, JournalEvent.Kind.MAINTENANCE_ENABLED,
                JournalEvent.Kind.SERVICE_DEREGISTERED), journal(id));
    }

    @Test
    void aContextTakenOutOfTheTreeDrainsWhileItStillRuns() throws Exception {
        server.start();
        Work work = new Work();
        ServletContextHandler orders = webapp("/orders", work);
        deploy(orders);
        String id = awaitRegistered(orders);
        CompletableFuture<HttpResponse<String>> inFlight = get("/orders/work?hold");
        assertTrue(work.entered.await(10, TimeUnit.SECONDS));

        Callback.Completable undeployed = new Callback.Completable();
        CompletableFuture.runAsync(() -> contexts.undeployHandler(orders, undeployed)); // removes, then stops
        await().atMost(WAIT).until(() -> inMaintenance(id));
        assertTrue(orders.isStarted(), "drained before the context begins to stop");

        work.release.countDown();
        assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).statusCode());
        undeployed.get(10, TimeUnit.SECONDS);
        assertFalse(work.servicesAtDestroy.get().contains(id));
    }

    /**
     * jetty-home's atomic redeploy: the new context starts before it joins the tree (so its watch
     * is added as it starts), takes the service ID, and only then is the old one taken out and
     * stopped, finishing its requests in flight first.
     */
    @Test
    void anAtomicRedeployHandsTheIdToTheNewContextWhileTheOldOneFinishesItsRequests() throws Exception {
        server.start();
        Work oldWork = new Work();
        ServletContextHandler old = webapp("/cart", oldWork);
        deploy(old);
        String id = awaitRegistered(old);
        CompletableFuture<HttpResponse<String>> inFlight = get("/cart/work?hold");
        assertTrue(oldWork.entered.await(10, TimeUnit.SECONDS));

        ServletContextHandler fresh = webapp("/cart", new Work());
        fresh.setServer(server);
        fresh.start();
        assertEquals(id, awaitRegistered(fresh));
        Callback.Completable redeployed = new Callback.Completable();
        CompletableFuture.runAsync(() -> contexts.redeployHandler(old, fresh, redeployed));
        await("the old context draining").during(Duration.ofMillis(500)).atMost(WAIT)
                .until(() -> old.isStarted() && !inFlight.isDone());
        assertFalse(inMaintenance(id), "the ID is the new context's: no maintenance for it");

        oldWork.release.countDown();
        assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).statusCode());
        redeployed.get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(old::isStopped);
        assertTrue(simulator.serviceIds().contains(id));
        assertEquals(Registration.State.REGISTERED, registration(fresh).state());
        assertTrue(listener.toString().contains("followed=1"), listener.toString());
    }

    /** A context served by one named connector only is registered with that connector's port. */
    @Test
    void aContextOnANamedConnectorIsRegisteredWithItsPort() throws Exception {
        ServerConnector internal = new ServerConnector(server);
        internal.setHost("127.0.0.1");
        internal.setPort(0);
        internal.setName("internal");
        server.addConnector(internal);
        ServletContextHandler admin = webapp("/admin", new Work());
        admin.setVirtualHosts(List.of("@Internal")); // Jetty matches connector names ignoring case
        deploy(admin);
        server.start();

        awaitRegistered(admin);
        assertEquals(internal.getLocalPort(), simulator.serviceIds().stream().filter(s -> s.startsWith("admin-")).findFirst()
                .map(s -> Integer.parseInt(s.substring(s.lastIndexOf('-') + 1))).orElseThrow());
    }

    /** Jetty's XML sees the JVM's system properties as properties: they stay system properties. */
    @Test
    void aSystemPropertyIsNotTakenForAContainerSetting() {
        System.setProperty("consul.service.name", "from-system");
        try {
            ConsulJettyListener fromXml = new ConsulJettyListener(new Server(),
                    Map.of("consul.service.name", "from-system", "consul.drain", "9s"));
            assertEquals(Map.of("consul.drain", "9s"), fromXml.settings());
        } finally {
            System.clearProperty("consul.service.name");
        }
    }

    /** A webapp that starts unavailable (a listener after ours failed it) is not registered, nor kept. */
    @Test
    void aWebappThatStartsUnavailableIsNotRegisteredNorKept() throws Exception {
        server.start();
        ServletContextHandler broken = webapp("/broken", new Work());
        broken.addEventListener(new jakarta.servlet.ServletContextListener() {
            @Override
            public void contextInitialized(jakarta.servlet.ServletContextEvent event) {
                ServletContextHandler.getServletContextHandler(event.getServletContext()).setAvailable(false);
            }
        });
        broken.setServer(server); // started before it joins the tree, as an atomic redeploy does
        broken.start();
        contexts.addHandler(broken);
        assertTrue(broken.isStarted() && !broken.isAvailable());
        await().atMost(WAIT).until(() -> listener.toString().contains("followed=0"));
        assertFalse(simulator.serviceIds().stream().anyMatch(s -> s.startsWith("broken-")));
    }

    @Test
    void theServersStopDrainsEveryWebappInParallelWhileTheyStillServe() throws Exception {
        Work a = new Work();
        Work b = new Work();
        ServletContextHandler first = webapp("/a", a);
        ServletContextHandler second = webapp("/b", b);
        deploy(first);
        deploy(second);
        server.start();
        String idA = awaitRegistered(first);
        String idB = awaitRegistered(second);
        CompletableFuture<HttpResponse<String>> inA = get("/a/work?hold");
        CompletableFuture<HttpResponse<String>> inB = get("/b/work?hold");
        assertTrue(a.entered.await(10, TimeUnit.SECONDS) && b.entered.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> stop(server));
        await().atMost(WAIT).until(() -> inMaintenance(idA) && inMaintenance(idB)); // both at once: in parallel
        assertEquals(200, get("/a/work").get(10, TimeUnit.SECONDS).statusCode(), "still served while draining");
        assertEquals(503, get("/b/consul/health").get(10, TimeUnit.SECONDS).statusCode());
        assertFalse(stop.isDone());

        a.release.countDown();
        b.release.countDown();
        assertEquals(200, inA.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(200, inB.get(10, TimeUnit.SECONDS).statusCode());
        stop.get(10, TimeUnit.SECONDS);
        assertFalse(a.servicesAtDestroy.get().contains(idA));
        assertFalse(b.servicesAtDestroy.get().contains(idB));
    }

    @Test
    void aWebappWhoseSettingsAreInvalidIsNotFollowed() throws Exception {
        server.start();
        ServletContextHandler bad = webapp("/bad", new Work(), "consul.check.mode", "sometimes");
        contexts.addHandler(bad);
        try {
            bad.start();
        } catch (Exception expected) {
            // the deployment fails, as it should
        }
        assertTrue(listener.toString().contains("followed=0"), listener.toString());
    }

    @Test
    void withoutTheListenerTheWebappIsLeftToCoreOnlyMode() throws Exception {
        server.removeBean(listener);
        AtomicReference<Optional<ContainerAdapter.Binding>> answer = new AtomicReference<>();
        ServletContextHandler plain = webapp("/plain", new Work(), "consul.agent", simulator.address(),
                "consul.service.port", "8080");
        plain.addServletContainerInitializer((ServletContainerInitializer) (classes, context) ->
                answer.set(new JettyContainerAdapter().follow(context)));
        deploy(plain);
        server.start();

        assertEquals(Optional.empty(), answer.get());
        String id = awaitRegistered(plain);
        assertTrue(id.endsWith("-8080"), id);
    }

    /**
     * A servlet that asks the public adapter for its webapp's binding, during a request or from
     * its init in the webapp's start, gets nothing: not the container's settings (its token),
     * and the real binding stays, so the webapp still drains and leaves Consul before it stops.
     */
    @Test
    void aServletCannotTakeTheBindingThroughThePublicAdapter() throws Exception {
        server.start();
        List<Optional<ContainerAdapter.Binding>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        Work work = new Work() {
            @Override
            public void init() {
                answers.add(new JettyContainerAdapter().follow(getServletContext()));
            }

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                answers.add(new JettyContainerAdapter().follow(request.getServletContext()));
                super.doGet(request, response);
            }
        };
        ServletContextHandler probe = webapp("/probe", work);
        probe.getServletHandler().getServlets()[0].setInitOrder(1); // init during the webapp's start
        deploy(probe);
        String id = awaitRegistered(probe);
        assertEquals(200, get("/probe/work").get(10, TimeUnit.SECONDS).statusCode());

        assertEquals(List.of(Optional.empty(), Optional.empty()), answers);
        stop(probe);
        assertFalse(work.servicesAtDestroy.get().contains(id), "deregistered before destroy()");
        assertEquals(List.of(JournalEvent.Kind.SERVICE_REGISTERED, JournalEvent.Kind.MAINTENANCE_ENABLED,
                JournalEvent.Kind.SERVICE_DEREGISTERED), journal(id));
    }

    @Test
    void theHostOfAConnectorBoundToEveryInterfaceIsEmpty() {
        ServerConnector any = new ServerConnector(server);
        for (String wildcard : new String[] {null, "", "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"}) {
            any.setHost(wildcard);
            assertEquals("", ConsulJettyListener.host(any), wildcard);
        }
        for (String bound : new String[] {"127.0.0.1", "::1", "10.1.2.3", "localhost", "web-1.example"}) {
            any.setHost(bound);
            assertEquals(bound, ConsulJettyListener.host(any));
        }
    }

    private static void stop(org.eclipse.jetty.util.component.LifeCycle lifeCycle) {
        try {
            lifeCycle.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers at once, or holds the request until released when asked with {@code ?hold}. */
    static class Work extends HttpServlet {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<Set<String>> servicesAtDestroy = new AtomicReference<>();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getParameter("hold") != null) {
                entered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            response.getWriter().print("ok");
        }

        @Override
        public void destroy() {
            servicesAtDestroy.set(simulator.serviceIds());
        }
    }
}
