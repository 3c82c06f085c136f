package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Registration;
import io.github.consulservlet.simulator.ConsulSimulator;
import io.github.consulservlet.webapp.ProbingServlet;

/**
 * Deploys and undeploys a webapp 50 times in one Jetty: no thread is added, no registration or
 * session is left behind, and no webapp class loader stays reachable.
 */
class RedeployLeakTest {
    private static final int CYCLES = 50;

    @TempDir
    Path war;

    @Test
    void fiftyRedeploysLeaveNoThreadNoRegistrationAndNoClassLoaderBehind() throws Exception {
        writeWebapp();
        try (ConsulSimulator simulator = ConsulSimulator.start(); EmbeddedJetty jetty = new EmbeddedJetty()) {
            Map<String, String> params = Map.of("consul.agent", simulator.address(), TestContainerAdapter.FOLLOW, "true",
                    "consul.check.mode", "ttl", "consul.drain", "0");
            // keeps the shared client alive, as the other webapps of a container do
            WebAppContext anchor = jetty.deployWebapp(webapp("/anchor", params));
            awaitRegistered(anchor);
            cycle(jetty, params, 0); // the first webapp starts the shared threads that start lazily
            await("the shared threads started").atMost(Duration.ofSeconds(10)).until(() -> sharedThreads().size() >= 3);
            List<String> shared = sharedThreads();

            List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
            for (int i = 1; i <= CYCLES; i++) {
                loaders.add(cycle(jetty, params, i));
            }

            // a stopping ttl webapp retires the probe thread its code ran on, and the anchor's next
            // probe makes a new one: besides the shared threads, at most that one probe thread; the
            // registrar and stop-call pools may have grown meanwhile, never past their bounds
            await("no thread added: " + extensionThreadNames()).atMost(Duration.ofSeconds(10))
                    .until(() -> fixedThreads().equals(fixed(shared)) && extensionThreads("consul-servlet-probes-") <= 1
                            && extensionThreads("consul-servlet-registrar-") <= SharedClient.REGISTRAR_THREADS
                            && extensionThreads("consul-servlet-stop-call-") <= StopCalls.THREADS);
            assertEquals(1, simulator.serviceIds().stream().filter(id -> !id.equals("consul")).count(),
                    "only the anchor stays registered: " + simulator.serviceIds());
            await("every undeployed webapp's class loader collected").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        System.gc();
                        return loaders.stream().allMatch(ref -> ref.get() == null);
                    });
            try (var consul = io.github.consulservlet.internal.client.ConsulClient.builder().agents(simulator.address()).build()) {
                assertEquals(1, consul.sessions().list().size(), "only the anchor's session is alive");
            }
            jetty.undeploy(anchor);
            assertEquals(0, ClientPool.SHARED.clientCount(), "the shared client closed with its last webapp");
        }
    }

    @Test
    void withoutAnAdapterAWebappThatFailsToDeployIsReleasedOnceCollected() throws Exception {
        writeWebapp();
        try (ConsulSimulator simulator = ConsulSimulator.start(); EmbeddedJetty jetty = new EmbeddedJetty()) {
            int clients = ClientPool.SHARED.clientCount();
            deployFailing(jetty, Map.of("consul.agent", simulator.address(), "consul.service.port", "8080"));
            assertEquals(clients + 1, ClientPool.SHARED.clientCount(), "contextDestroyed never came");
            await("released once the failed webapp is collected").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        System.gc();
                        ClientPool.SHARED.closeAbandoned();
                        return ClientPool.SHARED.clientCount() == clients;
                    });
        }
    }

    /** In a method of its own, so that nothing on the test's stack keeps the webapp reachable. */
    private void deployFailing(EmbeddedJetty jetty, Map<String, String> params) {
        WebAppContext failing = webapp("/fails", params);
        failing.setThrowUnavailableOnStartupException(true);
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> jetty.deploy(failing, "another initializer fails"));
        jetty.forget(failing);
    }

    private WeakReference<ClassLoader> cycle(EmbeddedJetty jetty, Map<String, String> params, int i) throws Exception {
        WebAppContext context = jetty.deployWebapp(webapp("/cycle", params));
        awaitRegistered(context);
        Class<?> servlet = context.getServletHandler().getServlet("probing").getHeldClass();
        assertEquals(ProbingServlet.class.getName(), servlet.getName());
        assertNotSame(ProbingServlet.class, servlet, "cycle " + i + ": the servlet is the webapp's own class");
        assertEquals(context.getClassLoader(), servlet.getClassLoader());
        WeakReference<ClassLoader> loader = new WeakReference<>(context.getClassLoader());
        jetty.undeploy(context);
        return loader;
    }

    private static void awaitRegistered(WebAppContext context) {
        Registration registration = ConsulContext.of(context.getServletContext()).registration();
        await().atMost(Duration.ofSeconds(10)).until(() -> registration.state() == Registration.State.REGISTERED);
    }

    private WebAppContext webapp(String path, Map<String, String> params) {
        WebAppContext context = new WebAppContext(war.toString(), path);
        params.forEach(context::setInitParameter);
        return context;
    }

    private void writeWebapp() throws IOException {
        Path classes = war.resolve("WEB-INF/classes/io/github/consulservlet/webapp");
        Files.createDirectories(classes);
        try (InputStream bytes = ProbingServlet.class.getResourceAsStream("ProbingServlet.class")) {
            Files.copy(bytes, classes.resolve("ProbingServlet.class"));
        }
        Files.writeString(war.resolve("WEB-INF/web.xml"), """
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <servlet>
                    <servlet-name>probing</servlet-name>
                    <servlet-class>io.github.consulservlet.webapp.ProbingServlet</servlet-class>
                    <load-on-startup>1</load-on-startup>
                  </servlet>
                </web-app>
                """);
    }

    /** The extension's threads but the probe thread, which a stopping ttl webapp renews. */
    private static List<String> sharedThreads() {
        return extensionThreadNames().stream().filter(name -> !name.startsWith("consul-servlet-probes-")).toList();
    }

    /** The shared threads that are not in a bounded pool: exactly those of the start. */
    private static List<String> fixedThreads() {
        return fixed(sharedThreads());
    }

    private static List<String> fixed(List<String> threads) {
        return threads.stream().filter(name -> !name.startsWith("consul-servlet-registrar-")
                && !name.startsWith("consul-servlet-stop-call-")).toList();
    }

    private static long extensionThreads(String prefix) {
        return extensionThreadNames().stream().filter(name -> name.startsWith(prefix)).count();
    }

    private static List<String> extensionThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("consul-servlet-")).sorted().toList();
    }
}
