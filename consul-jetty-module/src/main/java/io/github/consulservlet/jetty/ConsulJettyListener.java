package io.github.consulservlet.jetty;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.servlet.ServletContext;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.annotation.Name;
import org.eclipse.jetty.util.component.Container;
import org.eclipse.jetty.util.component.Dumpable;
import org.eclipse.jetty.util.component.LifeCycle;

import io.github.consulservlet.spi.ConnectorChoice;
import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.ContainerSetting;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.ExtensionThreads;
import io.github.consulservlet.spi.ListeningAddress;
import io.github.consulservlet.spi.OncePerStart;
import io.github.consulservlet.spi.WebappNames;

/**
 * A {@link Server} bean that tells consul-servlet when each webapp of its Jetty environment has
 * really started, on which port the server accepts its traffic, how many of its requests are in
 * flight, and when it is about to stop, so that the webapp is registered in Consul only once it
 * can serve and is drained and deregistered before it stops serving.
 *
 * <p><b>Where it is installed.</b> {@code etc/jetty-consul.xml} of the Jetty module {@code consul}
 * (environment ee10) or {@code consul-ee11} adds it to the {@code Server} with the container-level
 * settings, the {@code consul.*} properties of {@code start.d/consul.ini} that are set. Each
 * environment loads its own copy of this class, so each listener follows only the webapps its own
 * environment's initializer reported through {@link JettyContainerAdapter}. Embedded:
 * {@code server.addBean(new ConsulJettyListener(server, Map.of("consul.agent", "http://127.0.0.1:8500")))},
 * before the server starts, with consul-servlet's jar on the webapps' class path.
 *
 * <p><b>What it touches.</b> Added as a bean, it is an event listener of the server, and as a
 * {@link Container.InheritedListener} Jetty adds it to every container of the handler tree. To
 * each {@link ContextHandler} of its environment that appears in the tree it adds one event
 * listener of its own (a {@link LifeCycle.Listener} and a
 * {@link ContextHandler.ContextScopeListener}, which sees each request that enters the context
 * and notes when it completes). It inserts no handler and changes no request, response or
 * attribute. It keeps nothing of a webapp once consul-servlet lets go of it.
 *
 * <p><b>The moments it reports.</b>
 * <ul>
 * <li><i>Started</i>: once the context has started (its {@code lifeCycleStarted}, when it is
 * also available) and the server has started, whichever comes last: a context started with the
 * server waits for the server's {@code lifeCycleStarted}, which Jetty fires after
 * {@code Server.doStart} has opened the connectors; a webapp deployed later is reported at once.
 * The port is the first plain HTTP connector's {@code getLocalPort()} (so port 0 works), the host
 * its {@code getHost()} (empty when bound to every interface).</li>
 * <li><i>Server stop</i>: the server's {@code lifeCycleStopping}. {@code AbstractLifeCycle.stop()}
 * sets the state and notifies the listeners before it calls {@code doStop()}, and
 * {@code Server.doStop()} only then shuts down gracefully, stops the connectors and, last, the
 * handlers: while the listener waits, every context is still {@code STARTED} and the connectors
 * still accept, so the requests in flight finish and late ones are still served. Every followed
 * webapp, of every environment, drains in parallel, each on its own thread (each may take up to
 * its {@code consul.drain}); the server's stop waits for all of them. (Jetty tells the listeners
 * of the environments in turn; they share their drains through the server attribute
 * {@code io.github.consulservlet.jetty.drains}, so that the first one drains them all.)</li>
 * <li><i>A context removed from the server's tree while it runs</i>
 * ({@code ContextHandlerCollection.redeployHandler} and {@code undeployHandler}, which the 12.1
 * {@code StandardDeployer} uses to redeploy: it replaces the old context and only then stops it):
 * {@code beanRemoved}. The context is still started and finishes its requests in flight while
 * new ones already go to its successor.</li>
 * <li><i>A context stopped in place</i> (the hot undeploy of jetty-deploy 12.1:
 * {@code StandardDeployer.undeploy(context)} calls {@code context.stop()} before
 * {@code removeHandler(context)}, and its {@code Deployer.Listener.onStopping} is itself told from
 * {@code lifeCycleStopping}; a stop through JMX or code): the context's {@code lifeCycleStopping},
 * the earliest moment Jetty offers there. Jetty has already set the context's state to
 * {@code STOPPING}, so {@code ContextHandler.handle} no longer takes new requests (they get the
 * server's 404), but the requests in flight finish: the drain waits for them, the instance leaves
 * Consul, and only then does {@code doStop()} destroy the webapp's servlets.</li>
 * <li><i>Stopped</i>: the context's {@code lifeCycleStopped} or {@code lifeCycleFailure} (a start
 * that failed), or, for a webapp whose listener was added late, its {@code contextDestroyed}
 * through consul-servlet.</li>
 * </ul>
 */
public final class ConsulJettyListener implements Container.InheritedListener, LifeCycle.Listener, Dumpable {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulJettyListener.class.getName());
    /** The installed listeners of this class loader (one Jetty environment); weak: their server holds them. */
    private static final Set<ConsulJettyListener> INSTALLED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private static final String DRAINS = "io.github.consulservlet.jetty.drains";
    private static final String INI_CHECKED = "io.github.consulservlet.jetty.ini-checked";

    private final Server server;
    private final Map<String, String> settings;
    private final Set<FollowedWebapp> followed = ConcurrentHashMap.newKeySet();
    private final OncePerStart warnedNoHttpConnector = new OncePerStart();
    /** This listener's webapps that have not begun to drain, as tasks. */
    private final Supplier<List<Runnable>> drains = () -> followed.stream().filter(FollowedWebapp::inConsul)
            .map(webapp -> (Runnable) webapp::drain).toList();

    /**
     * A listener for {@code server}, to add to it as a bean before it starts.
     *
     * @param settings the container-level settings by name ({@code consul.agent}, ...), which
     *     the webapps' {@code web.xml} context parameters override; null values are left out, so
     *     that those settings fall through to system properties, the environment and defaults
     */
    public ConsulJettyListener(@Name("server") Server server, @Name("settings") Map<String, String> settings) {
        this(server, settings, null);
    }

    /**
     * As {@link #ConsulJettyListener(Server, Map)}, and warns of each {@code consul.*} property of
     * the ini files of {@code base} (Jetty's {@code jetty.base}) that is no setting, once per server.
     */
    public ConsulJettyListener(@Name("server") Server server, @Name("settings") Map<String, String> settings,
            @Name("base") String base) {
        this.server = Objects.requireNonNull(server, "server");
        if (base != null && !base.isBlank() && firstToCheckIni(server)) {
            IniKeys.warnings(java.nio.file.Path.of(base)).forEach(w -> LOG.log(System.Logger.Level.WARNING, "consul-servlet: " + w));
        }
        Map<String, String> set = new LinkedHashMap<>();
        settings.forEach((name, value) -> {
            // Jetty gives its XML the JVM's system properties as properties too: those stay at
            // their own level (a -Dconsul.service.name must not become a container setting)
            if (name != null && value != null && !value.equals(System.getProperty(name.strip()))) {
                set.put(name.strip(), value);
            }
        });
        this.settings = Collections.unmodifiableMap(set);
        INSTALLED.add(this);
        drains(server, true).add(drains);
    }

    /** Whether no listener of another environment on {@code server} has checked the ini files yet. */
    private static boolean firstToCheckIni(Server server) {
        synchronized (server) {
            boolean first = server.getAttribute(INI_CHECKED) == null;
            server.setAttribute(INI_CHECKED, Boolean.TRUE);
            return first;
        }
    }

    /**
     * The drains of the listeners of every environment on {@code server}, kept in a server
     * attribute of JDK types (each environment has its own copy of this class), so that the first
     * listener told of the server's stop drains the webapps of all environments at once.
     */
    @SuppressWarnings("unchecked")
    private static Set<Supplier<List<Runnable>>> drains(Server server, boolean create) {
        synchronized (server) {
            Object drains = server.getAttribute(DRAINS);
            if (drains == null && create) {
                drains = ConcurrentHashMap.newKeySet();
                server.setAttribute(DRAINS, drains);
            }
            return drains instanceof Set<?> set ? (Set<Supplier<List<Runnable>>>) set : Set.of();
        }
    }

    /**
     * The binding of the webapp whose context is starting on this thread, from the listener
     * installed on its server, or empty when there is none. Only once per start, while the
     * context is starting: the adapter is public, and a servlet that asks during a request, or a
     * second time during the start (a servlet's init), must get neither the container's settings
     * nor a new binding that would replace the real one.
     */
    static Optional<ContainerAdapter.Binding> followStarting(String servletContextPath) {
        ContextHandler context = ContextHandler.getCurrentContextHandler();
        if (context == null || !context.isStarting() || !servletContextPath(context).equals(servletContextPath)) {
            return Optional.empty();
        }
        Server server = context.getServer();
        if (server == null) {
            return Optional.empty();
        }
        ConsulJettyListener listener = null;
        synchronized (INSTALLED) {
            for (ConsulJettyListener installed : INSTALLED) {
                if (installed.server == server) {
                    listener = installed;
                    break;
                }
            }
        }
        return listener == null ? Optional.empty() : Optional.ofNullable(listener.follow(context));
    }

    /** A new binding for this start of {@code context}, or null when this start already has one. */
    private FollowedWebapp follow(ContextHandler context) {
        for (String perWebapp : ContainerSetting.all().stream().filter(s -> !s.containerMaySet()).map(ContainerSetting::key).toList()) {
            if (settings.containsKey(perWebapp)) {
                throw new IllegalArgumentException(perWebapp + " '" + settings.get(perWebapp) + "' (Jetty property) would give"
                        + " every webapp the same service, and the same instance ID; expected a " + perWebapp
                        + " context-param in the webapp it names");
            }
        }
        ContextWatch watch = watch(context, true);
        if (!watch.claim()) {
            return null;
        }
        FollowedWebapp webapp = new FollowedWebapp(this, watch);
        followed.add(webapp);
        watch.follow(webapp);
        return webapp;
    }

    void forget(FollowedWebapp webapp) {
        followed.remove(webapp);
    }

    Map<String, String> settings() {
        return settings;
    }

    boolean serverStarted() {
        return server.isStarted();
    }

    /** The watch of this listener on {@code context}, added now if it has none. */
    private synchronized ContextWatch watch(ContextHandler context, boolean late) {
        for (EventListener listener : context.getEventListeners()) {
            if (listener instanceof ContextWatch watch && watch.owner() == this) {
                return watch;
            }
        }
        ContextWatch watch = new ContextWatch(this, context, late);
        context.addEventListener(watch);
        return watch;
    }

    // ---- Container.InheritedListener: every container of the server's tree

    /**
     * Watches each context of this environment as it joins the tree, before it starts (a
     * deployer adds a context, then starts it), so that the watch is one of the context's
     * durable listeners and sees its whole lifecycle.
     */
    @Override
    public void beanAdded(Container parent, Object child) {
        if (child instanceof ContextHandler context) {
            if (ofThisEnvironment(context)) {
                watch(context, false);
            }
        } else if (child instanceof Handler && child instanceof Container handlers) {
            for (ContextHandler context : handlers.getContainedBeans(ContextHandler.class)) {
                if (ofThisEnvironment(context)) {
                    watch(context, false);
                }
            }
        }
    }

    /** A followed context taken out of the server's tree while it still runs is about to stop. */
    @Override
    public void beanRemoved(Container parent, Object child) {
        if (child == this && parent == server) {
            INSTALLED.remove(this);
            drains(server, false).remove(drains);
            return;
        }
        if (!(child instanceof Handler) || followed.isEmpty() || !server.isStarted()) {
            return;
        }
        Collection<ContextHandler> removed = child instanceof Container handlers && !(child instanceof ContextHandler)
                ? handlers.getContainedBeans(ContextHandler.class) : List.of();
        for (FollowedWebapp webapp : followed) {
            ContextHandler context = webapp.context();
            if ((context == child || removed.contains(context)) && context.isStarted()
                    && !server.getContainedBeans(ContextHandler.class).contains(context)) {
                webapp.stopping();
            }
        }
    }

    // ---- LifeCycle.Listener: the server (inherited, this listener hears every container: only the server counts here)

    @Override
    public void lifeCycleStarted(LifeCycle event) {
        if (event == server) {
            for (FollowedWebapp webapp : followed) {
                webapp.serverStarted();
            }
        }
    }

    @Override
    public void lifeCycleStopping(LifeCycle event) {
        if (event == server) {
            stopAll();
        }
    }

    /**
     * Drains and deregisters every followed webapp of every environment, in parallel, and returns
     * once all are done. Jetty tells the listener of each environment in turn: the first one
     * drains them all; the others find those drains done, and return at once.
     */
    private void stopAll() {
        List<Runnable> tasks = new ArrayList<>();
        for (Supplier<List<Runnable>> environment : drains(server, false)) {
            tasks.addAll(environment.get());
        }
        new ExtensionThreads("jetty-stop").runAll(tasks);
    }

    // ---- what the webapps are told

    /**
     * The connector the server accepts a webapp's traffic on, as {@link ConnectorChoice} picks it
     * among the bound network connectors; among those the context names ({@code @name} virtual
     * hosts), when it names some. Warns once when it is not plain HTTP.
     */
    Optional<ConnectorChoice.Connector> endpoint(ContextHandler context) {
        List<String> named = new ArrayList<>();
        for (String virtualHost : context.getVirtualHosts()) {
            if (virtualHost.startsWith("@")) {
                named.add(virtualHost.substring(1)); // Jetty matches them ignoring case, as the choice does
            }
        }
        List<ConnectorChoice.Connector> connectors = new ArrayList<>();
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof NetworkConnector network) {
                connectors.add(new ConnectorChoice.Connector(connector.getName(), kind(connector), host(network),
                        network.getLocalPort(), connector));
            }
        }
        Optional<ConnectorChoice.Connector> chosen = ConnectorChoice.choose(connectors, named);
        // a TLS connector is probed with https; one that speaks neither cannot be probed at all
        if (chosen.isPresent() && chosen.get().kind() == ConnectorChoice.Kind.OTHER && warnedNoHttpConnector.claim()) {
            LOG.log(System.Logger.Level.WARNING, "consul-servlet: the server has no HTTP connector; reporting port "
                    + chosen.get().port() + " of " + chosen.get().connector() + ", which an http check cannot probe:"
                    + " set consul.check.mode ttl, or consul.service.port to the port that forwards to it");
        }
        return chosen;
    }

    private static ConnectorChoice.Kind kind(Connector connector) {
        if (connector.getConnectionFactory(SslConnectionFactory.class) != null) {
            return ConnectorChoice.Kind.TLS;
        }
        return connector.getConnectionFactory(HttpConnectionFactory.class) != null
                ? ConnectorChoice.Kind.PLAIN_HTTP : ConnectorChoice.Kind.OTHER;
    }

    /** The connector's host, empty when it is bound to every interface. */
    static String host(NetworkConnector connector) {
        return ListeningAddress.host(connector.getHost());
    }

    /** The context path as the Servlet API gives it: empty for the root context. */
    static String servletContextPath(ContextHandler context) {
        return WebappNames.servletContextPath(context.getContextPath());
    }

    /** Whether the context is a servlet context of this environment (it sees the Servlet API this class sees). */
    private static boolean ofThisEnvironment(ContextHandler context) {
        ClassLoader loader = context.getClass().getClassLoader();
        try {
            return Class.forName(ServletContext.class.getName(), false, loader) == ServletContext.class;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public void dump(Appendable out, String indent) throws IOException {
        Dumpable.dumpObjects(out, indent, this, followed.toArray());
    }

    @Override
    public String toString() {
        return "%s@%x{followed=%d,settings=%s}".formatted(getClass().getSimpleName(), hashCode(), followed.size(),
                settings.keySet());
    }
}
