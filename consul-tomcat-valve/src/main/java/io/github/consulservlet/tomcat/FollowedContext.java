package io.github.consulservlet.tomcat;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

import org.apache.catalina.Context;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.ajp.AbstractAjpProtocol;

import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.WebappLifecycle;

/** One start of one Context that a {@link ConsulValve} follows. */
final class FollowedContext implements ContainerAdapter.Binding {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulValve.class.getName());

    private final ConsulValve valve;
    private final Context context;
    private final Map<String, String> settings;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile WebappLifecycle lifecycle;

    FollowedContext(ConsulValve valve, Context context, Map<String, String> settings) {
        this.valve = valve;
        this.context = context;
        this.settings = settings;
    }

    @Override
    public Map<String, String> settings() {
        return settings;
    }

    @Override
    public void attach(WebappLifecycle lifecycle) {
        this.lifecycle = lifecycle;
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

    /** The webapp and the Server have started: registers it with the port its requests come in on. */
    void register() {
        WebappLifecycle webapp = lifecycle;
        if (webapp == null) {
            return;
        }
        Connector connector = connectorOf(ConsulValve.serviceOf(context));
        if (connector == null) {
            LOG.log(System.Logger.Level.ERROR, "consul-servlet: " + name() + " not registered: its Service has no started"
                    + " HTTP connector; expected a <Connector> that is not AJP, or consul.service.port");
            return;
        }
        if (connector.getSecure() || "https".equals(connector.getScheme())) {
            LOG.log(System.Logger.Level.WARNING, "consul-servlet: " + name() + " is registered on TLS connector port "
                    + connector.getLocalPort() + ", which an http check cannot probe; expected a plain HTTP connector,"
                    + " or consul.check.mode ttl");
        }
        webapp.started(hostOf(connector), connector.getLocalPort());
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

    /** The Service's first started plain HTTP connector, else its first started HTTPS one. */
    static Connector connectorOf(Service service) {
        if (service == null) {
            return null;
        }
        Connector secure = null;
        for (Connector connector : service.findConnectors()) {
            if (connector.getProtocolHandler() instanceof AbstractAjpProtocol || connector.getLocalPort() <= 0) {
                continue;
            }
            if (!connector.getSecure() && "http".equals(connector.getScheme())) {
                return connector;
            }
            if (secure == null) {
                secure = connector;
            }
        }
        return secure;
    }

    /** The address the connector is bound to; empty when bound to every interface. */
    static String hostOf(Connector connector) {
        return connector.getProperty("address") instanceof InetAddress address && !address.isAnyLocalAddress()
                ? address.getHostAddress() : "";
    }

    private String name() {
        return context.getPath().isEmpty() ? "/" : context.getPath();
    }
}
