package io.github.consulservlet.tomcat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import org.apache.catalina.Context;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.ajp.AbstractAjpProtocol;

import io.github.consulservlet.spi.ConnectorChoice;
import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.ListeningAddress;
import io.github.consulservlet.spi.StartedGate;
import io.github.consulservlet.spi.WebappLifecycle;
import io.github.consulservlet.spi.WebappNames;

/** One start of one Context that a {@link ConsulValve} follows. */
final class FollowedContext implements ContainerAdapter.Binding {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulValve.class.getName());

    private final ConsulValve valve;
    private final Context context;
    private final Map<String, String> settings;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Registers once the context is mapped and the Server has started, and the lifecycle is here. */
    private final StartedGate gate;
    private volatile WebappLifecycle lifecycle;

    FollowedContext(ConsulValve valve, Context context, Map<String, String> settings) {
        this.valve = valve;
        this.context = context;
        this.settings = settings;
        this.gate = new StartedGate(valve::serverStarted, this::register);
    }

    @Override
    public Map<String, String> settings() {
        return settings;
    }

    @Override
    public String settingsOrigin() {
        return "ConsulValve attribute";
    }

    @Override
    public void attach(WebappLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        gate.attached();
    }

    @Override
    public int inFlightRequests() {
        return inFlight.get();
    }

    @Override
    public void detach() {
        valve.forget(context, this);
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestEnded() {
        inFlight.decrementAndGet();
    }

    /** Counts the request in flight until its asynchronous cycle ends; false if it already has. */
    boolean endWhenComplete(AsyncContext async) {
        AtomicBoolean ended = new AtomicBoolean();
        try {
            async.addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    end();
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                }

                @Override
                public void onError(AsyncEvent event) {
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                    event.getAsyncContext().addListener(this); // listeners are dropped when the request goes async again
                }

                private void end() {
                    if (ended.compareAndSet(false, true)) {
                        requestEnded();
                    }
                }
            });
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** The context has started and the request mapper routes to it. */
    void contextStarted() {
        gate.webappStarted();
    }

    /** The Server has started its Connectors. */
    void serverStarted() {
        gate.containerStarted();
    }

    /** The gate has opened: registers the webapp with the port its requests come in on. */
    private void register() {
        WebappLifecycle webapp = lifecycle;
        if (webapp == null) {
            return;
        }
        Optional<ConnectorChoice.Connector> chosen = connectorOf(ConsulValve.serviceOf(context));
        if (chosen.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "consul-servlet: " + name() + " not registered: its Service has no started"
                    + " HTTP connector; expected a <Connector> that is not AJP, or consul.service.port");
            return;
        }
        ConnectorChoice.Connector connector = chosen.get();
        // on a TLS connector the agent probes https (consul.check.tls-skip-verify, -server-name)
        webapp.started(connector.host(), connector.port(), connector.kind() == ConnectorChoice.Kind.TLS);
    }

    void stopping() {
        WebappLifecycle webapp = lifecycle;
        if (webapp != null) {
            webapp.stopping();
        }
    }

    void stopped() {
        WebappLifecycle webapp = lifecycle;
        if (webapp != null) {
            webapp.stopped();
        }
        detach();
    }

    /** The connector of the Service that {@link ConnectorChoice} picks, among its started ones. */
    static Optional<ConnectorChoice.Connector> connectorOf(Service service) {
        if (service == null) {
            return Optional.empty();
        }
        List<ConnectorChoice.Connector> connectors = new ArrayList<>();
        for (Connector connector : service.findConnectors()) {
            connectors.add(new ConnectorChoice.Connector(null, kind(connector), hostOf(connector), connector.getLocalPort(),
                    connector));
        }
        return ConnectorChoice.choose(connectors, List.of());
    }

    /** What the connector speaks: TLS when it is SSLEnabled, secure, or says https. */
    static ConnectorChoice.Kind kind(Connector connector) {
        if (connector.getProtocolHandler() instanceof AbstractAjpProtocol) {
            return ConnectorChoice.Kind.PROXY_ONLY;
        }
        // SSLEnabled="true" alone makes a TLS connector; secure and scheme are only what it tells webapps
        if (connector.getProtocolHandler() instanceof org.apache.coyote.http11.AbstractHttp11Protocol<?> http
                && http.isSSLEnabled()) {
            return ConnectorChoice.Kind.TLS;
        }
        if (!connector.getSecure() && "http".equals(connector.getScheme())) {
            return ConnectorChoice.Kind.PLAIN_HTTP;
        }
        return connector.getSecure() || "https".equals(connector.getScheme()) ? ConnectorChoice.Kind.TLS
                : ConnectorChoice.Kind.OTHER;
    }

    /** The address the connector is bound to; empty when bound to every interface. */
    static String hostOf(Connector connector) {
        return ListeningAddress.host(connector.getProperty("address") instanceof InetAddress address ? address : null);
    }

    private String name() {
        return WebappNames.displayName(context.getPath());
    }
}
