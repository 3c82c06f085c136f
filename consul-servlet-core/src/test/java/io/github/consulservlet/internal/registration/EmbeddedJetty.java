package io.github.consulservlet.internal.registration;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.component.LifeCycle;
import org.mockserver.configuration.Configuration;
import org.mockserver.integration.ClientAndServer;

import io.github.consulservlet.spi.WebappLifecycle;

/**
 * A Jetty 12 server on 127.0.0.1, port 0, to which tests deploy and undeploy webapps one by one,
 * each with consul-servlet's initializer. For a webapp {@link TestContainerAdapter} follows, it
 * counts requests in flight and reports start (with the connector's real port) and stop, the
 * way a container module does: started once the context has started, stopping before the
 * context starts to stop (a Jetty 12 context in {@code STOPPING} no longer takes requests),
 * stopped once it has stopped or failed.
 */
final class EmbeddedJetty implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final ContextHandlerCollection contexts = new ContextHandlerCollection(true);
    private final HttpClient http = HttpClient.newHttpClient();

    EmbeddedJetty() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(contexts);
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    /** A webapp at {@code contextPath} with these context parameters; deploy it with {@link #deploy}. */
    static ServletContextHandler webapp(String contextPath, Map<String, String> params) {
        ServletContextHandler context = new ServletContextHandler(contextPath);
        params.forEach(context::setInitParameter);
        return context;
    }

    /** Starts {@code context} with consul-servlet's initializer, as a container finds it. */
    ServletContextHandler deploy(ServletContextHandler context) throws Exception {
        return deploy(context, null);
    }

    /**
     * Starts {@code context} with consul-servlet's initializer followed by {@code thenFailing}, in
     * one initializer, since Jetty does not promise an order between initializers.
     */
    ServletContextHandler deploy(ServletContextHandler context, String thenFailing) throws Exception {
        ConsulServletInitializer consul = new ConsulServletInitializer();
        context.addServletContainerInitializer(thenFailing == null ? consul : (classes, webapp) -> {
            consul.onStartup(classes, webapp);
            throw new jakarta.servlet.ServletException(thenFailing);
        });
        if ("true".equals(context.getInitParameter(TestContainerAdapter.FOLLOW))) {
            boolean tls = "true".equals(context.getInitParameter(TestContainerAdapter.TLS));
            String path = context.getContextPath().equals("/") ? "" : context.getContextPath();
            context.addFilter(new FilterHolder(new InFlightCounter(path)), "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarted(LifeCycle event) {
                    TestContainerAdapter.followed(path).map(f -> f.lifecycle)
                            .ifPresent(lifecycle -> lifecycle.started("127.0.0.1", port(), tls));
                }

                @Override
                public void lifeCycleFailure(LifeCycle event, Throwable cause) {
                    TestContainerAdapter.followed(path).map(f -> f.lifecycle).ifPresent(WebappLifecycle::stopped);
                }

                @Override
                public void lifeCycleStopped(LifeCycle event) {
                    TestContainerAdapter.followed(path).map(f -> f.lifecycle).ifPresent(WebappLifecycle::stopped);
                }
            });
        }
        contexts.addHandler(context);
        context.start();
        return context;
    }

    /** Deploys a webapp from its directory, with its own class loader. */
    org.eclipse.jetty.ee10.webapp.WebAppContext deployWebapp(org.eclipse.jetty.ee10.webapp.WebAppContext webapp) throws Exception {
        webapp.setThrowUnavailableOnStartupException(true);
        deploy(webapp);
        return webapp;
    }

    /** Drops a webapp that failed to deploy, as a container drops a broken deployment. */
    void forget(ServletContextHandler context) {
        contexts.removeHandler(context);
    }

    /** Undeploys those of {@code contexts} still started: what a test deployed and did not undeploy itself. */
    void undeployStarted(Collection<? extends ServletContextHandler> contexts) throws Exception {
        for (ServletContextHandler context : contexts) {
            if (context.isStarted()) {
                undeploy(context);
            }
        }
    }

    void undeploy(ServletContextHandler context) throws Exception {
        String path = context.getContextPath().equals("/") ? "" : context.getContextPath();
        TestContainerAdapter.followed(path).map(f -> f.lifecycle).ifPresent(WebappLifecycle::stopping);
        context.stop();
        contexts.removeHandler(context);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Undeploys what a test left deployed (a failed test leaves its webapps), then stops: a
     * context started after the server is not the server's to stop, and a webapp left running
     * would keep its shared client open into the next test class.
     */
    @Override
    public void close() {
        try {
            for (org.eclipse.jetty.server.Handler handler : contexts.getHandlers()) {
                if (handler instanceof ServletContextHandler context && context.isStarted()) {
                    undeploy(context);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("a webapp did not stop", e);
        } finally {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("Jetty did not stop", e);
            }
        }
    }

    /**
     * Closes, then waits until every shared client has closed with its last webapp, so that none
     * is left open into the next test class.
     */
    void closeAndAwaitSharedClients() {
        close();
        await("every shared client closed with its last webapp").atMost(Duration.ofSeconds(30))
                .until(() -> ClientPool.SHARED.clientCount() == 0);
    }

    /** MockServer on 127.0.0.1 and a free port, standing in for the agent the webapps register with. */
    static ClientAndServer mockAgent() {
        return ClientAndServer.startClientAndServer(Configuration.configuration()
                .localBoundIP("127.0.0.1").logLevel("WARN").disableSystemOut(true), 0);
    }

    /** Counts a followed webapp's requests in flight, as the container modules do for the drain. */
    private static final class InFlightCounter implements Filter {
        private final String contextPath;

        InFlightCounter(String contextPath) {
            this.contextPath = contextPath;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            var followed = TestContainerAdapter.followed(contextPath);
            followed.ifPresent(f -> f.inFlight.incrementAndGet());
            try {
                chain.doFilter(request, response);
            } finally {
                followed.ifPresent(f -> f.inFlight.decrementAndGet());
            }
        }
    }
}
