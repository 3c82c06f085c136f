package io.github.consulservlet.tomcat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import org.apache.catalina.Container;
import org.apache.catalina.ContainerEvent;
import org.apache.catalina.ContainerListener;
import org.apache.catalina.Context;
import org.apache.catalina.Engine;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Server;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import io.github.consulservlet.spi.ContainerSetting;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.ExtensionThreads;

/**
 * Registers every webapp under its container in Consul, with Tomcat's own start and stop moments
 * and the connector's real port. Nest it in an {@code <Engine>} (every webapp of the Service) or
 * in a {@code <Host>} (that host's webapps) of {@code server.xml}, with the jar of this module in
 * {@code $CATALINA_BASE/lib}:
 *
 * <pre>{@code <Valve className="io.github.consulservlet.tomcat.ConsulValve" agent="http://127.0.0.1:8500"/>}</pre>
 *
 * <p>Its attributes are the container-level settings, each the camelCase form of a
 * {@code consul.*} setting ({@code agent}, {@code tokenFile}, {@code checkMode}, {@code drain},
 * {@code serviceTags}, {@code tlsCaFile}, {@code webappsExclude}, ...); a webapp's context params
 * override them. An attribute that is not a setting is ignored with a warning that names the
 * nearest one; one that names a single webapp ({@code serviceName}, {@code serviceId}) stops the
 * registration of every webapp the valve follows, with a message that names it.
 *
 * <p>What it touches: it listens to the lifecycle of its container's Hosts and Contexts and of
 * the Server. A webapp is registered at its {@code after_start} once the Server has started
 * (Tomcat starts the Engine, and so the webapps, before the Connectors), or at the Server's
 * {@code after_start} for the webapps deployed with it. Its listener runs before the request
 * mapper's, so at a webapp's {@code before_stop} it is drained and deregistered while it is still
 * mapped and serving; at the Server's {@code before_stop}, before the Connectors pause, every
 * webapp is drained and deregistered at once. The valve counts each webapp's requests in flight,
 * asynchronous ones until they complete.
 */
public final class ConsulValve extends ValveBase implements ContainerListener, LifecycleListener {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulValve.class.getName());
    /** Valves in server.xml files of this class loader; the adapter asks each of them. */
    static final Set<ConsulValve> INSTALLED = new CopyOnWriteArraySet<>();
    private static final Map<String, String> SETTING_BY_ATTRIBUTE = settingsByAttribute();
    /** Settings that name one webapp: a valve attribute would give all its webapps one service ID. */
    private static final Set<String> PER_WEBAPP = ContainerSetting.all().stream().filter(s -> !s.containerMaySet())
            .map(ContainerSetting::key).collect(java.util.stream.Collectors.toUnmodifiableSet());
    private static final String COUNTED_NOTE = ConsulValve.class.getName() + ".counted";

    private final Map<String, String> settings = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> perWebappAttributes = Collections.synchronizedList(new ArrayList<>());
    private final Set<Context> contexts = ConcurrentHashMap.newKeySet();
    private final Map<Context, FollowedContext> followed = new ConcurrentHashMap<>();
    private final LifecycleListener serverListener = this::serverEvent;
    private final LifecycleListener mapped = this::contextMapped;
    /**
     * The contexts being started, and the thread that starts each (their initializers, ours among
     * them, run on it), from before_start to after_start or their stop. Not a thread local: a start
     * that throws fires no event, and the entry must go with the context, not stay on the thread.
     */
    private final Map<Context, Thread> starting = new ConcurrentHashMap<>();
    private Server server;
    private boolean serverStarted;

    /** For Tomcat's digester. */
    public ConsulValve() {
        super(true);
    }

    /**
     * Takes an attribute of the {@code <Valve>} element: a container-level setting in camelCase.
     * A name that is not a setting is accepted all the same, and warned about here, naming the
     * nearest setting but never the value (a misspelled {@code token} holds the token): answering
     * false would have Tomcat log the attribute with its value. It is ignored, as Tomcat's
     * {@code SetPropertiesRule} ignores an attribute no setter takes.
     */
    public boolean setProperty(String attribute, String value) {
        String setting = SETTING_BY_ATTRIBUTE.get(attribute);
        if (setting == null) {
            LOG.log(System.Logger.Level.WARNING, "consul-servlet: " + unknownAttribute(attribute) + " (the value is not shown)");
            return true;
        }
        if (PER_WEBAPP.contains(setting)) {
            perWebappAttributes.add(attribute);
            LOG.log(System.Logger.Level.WARNING, "consul-servlet: " + unknownAttribute(attribute)
                    + "; no webapp under this valve is registered until it is removed");
            return true;
        }
        settings.put(setting, value);
        return true;
    }

    @Override
    public void setContainer(Container container) {
        super.setContainer(container);
        if (container != null) {
            INSTALLED.add(this);
            listen(container);
        }
    }

    @Override
    protected void destroyInternal() throws org.apache.catalina.LifecycleException {
        INSTALLED.remove(this);
        super.destroyInternal();
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Context context = request.getContext();
        FollowedContext webapp = context == null ? null : followed.get(context);
        // an asynchronous dispatch of a request already counted passes through again
        boolean count = webapp != null && request.getNote(COUNTED_NOTE) == null;
        if (count) {
            request.setNote(COUNTED_NOTE, Boolean.TRUE);
            webapp.requestStarted();
        }
        boolean handedOver = false;
        try {
            getNext().invoke(request, response);
            handedOver = count && request.isAsync() && webapp.endWhenComplete(request.getAsyncContextInternal());
        } finally {
            if (count && !handedOver) {
                webapp.requestEnded();
            }
        }
    }

    /** The binding of a webapp under this valve that is starting now, if {@code webapp} is one. */
    FollowedContext follow(ServletContext webapp) {
        // Only the context this thread is starting: another context's getServletContext() is not
        // for this thread to call (it creates that context's ApplicationContext, unguarded).
        Thread thread = Thread.currentThread();
        Context context = null;
        for (Map.Entry<Context, Thread> start : starting.entrySet()) {
            if (start.getValue() == thread && start.getKey().getState() == LifecycleState.STARTING_PREP) {
                context = start.getKey();
                break;
            }
        }
        if (context == null || !contexts.contains(context) || context.getServletContext() != webapp) {
            return null;
        }
        starting.remove(context);
        checkAttributes();
        hookServer(context);
        FollowedContext binding = new FollowedContext(this, context, settings());
        followed.put(context, binding);
        return binding;
    }

    /** Fails when an attribute of the valve is a setting that names one webapp, naming each such attribute. */
    void checkAttributes() {
        if (!perWebappAttributes.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", perWebappAttributes.stream().map(ConsulValve::unknownAttribute).toList()));
        }
    }

    Map<String, String> settings() {
        return Map.copyOf(settings);
    }

    /** How many contexts this valve sees starting now. */
    int contextsStarting() {
        return starting.size();
    }

    void forget(Context context, FollowedContext binding) {
        followed.remove(context, binding);
    }

    /** Whether the Server has started its Connectors: the gate of every followed webapp asks. */
    synchronized boolean serverStarted() {
        return serverStarted || server != null && server.getState() == LifecycleState.STARTED;
    }

    @Override
    public void containerEvent(ContainerEvent event) {
        if (Container.ADD_CHILD_EVENT.equals(event.getType())) {
            listen((Container) event.getData());
        } else if (Container.REMOVE_CHILD_EVENT.equals(event.getType())) {
            unlisten((Container) event.getData());
        }
    }

    @Override
    public void lifecycleEvent(LifecycleEvent event) {
        if (!(event.getLifecycle() instanceof Context context)) {
            return;
        }
        switch (event.getType()) {
            case Lifecycle.BEFORE_START_EVENT -> {
                SkipOwnJar.install(context);
                // the context's initializers, ours among them, run on this thread before after_start
                starting.put(context, Thread.currentThread());
                // added now, after the request mapper's listener: called at after_start once the
                // mapper routes to the context
                context.addLifecycleListener(mapped);
            }
            case Lifecycle.BEFORE_STOP_EVENT -> {
                starting.remove(context);
                context.removeLifecycleListener(mapped);
                FollowedContext webapp = followed.get(context);
                if (webapp != null) {
                    webapp.stopping();
                }
            }
            case Lifecycle.AFTER_STOP_EVENT, Lifecycle.AFTER_DESTROY_EVENT -> {
                starting.remove(context);
                context.removeLifecycleListener(mapped);
                FollowedContext webapp = followed.get(context);
                if (webapp != null) {
                    webapp.stopped();
                }
            }
            default -> { }
        }
    }

    /** A context has started and the mapper routes to it: its gate registers it once the Server has started too. */
    private void contextMapped(LifecycleEvent event) {
        if (Lifecycle.AFTER_START_EVENT.equals(event.getType()) && event.getLifecycle() instanceof Context context) {
            starting.remove(context);
            context.removeLifecycleListener(mapped);
            FollowedContext webapp = followed.get(context);
            if (webapp != null) {
                webapp.contextStarted();
            }
        }
    }

    private void serverEvent(LifecycleEvent event) {
        switch (event.getType()) {
            case Lifecycle.AFTER_START_EVENT -> {
                synchronized (this) {
                    serverStarted = true;
                }
                followed.values().forEach(FollowedContext::serverStarted);
            }
            case Lifecycle.BEFORE_STOP_EVENT -> {
                synchronized (this) {
                    serverStarted = false;
                }
                stopAll();
            }
            case Lifecycle.AFTER_DESTROY_EVENT -> INSTALLED.remove(this);
            default -> { }
        }
    }

    /** Drains and deregisters every webapp at once: each may take up to its {@code consul.drain}. */
    private void stopAll() {
        new ExtensionThreads("stop").runAll(followed.values().stream().map(webapp -> (Runnable) webapp::stopping).toList());
    }

    private synchronized void hookServer(Context context) {
        if (server != null) {
            return;
        }
        Service service = serviceOf(context);
        if (service != null && service.getServer() != null) {
            server = service.getServer();
            server.addLifecycleListener(serverListener);
            serverStarted = server.getState() == LifecycleState.STARTED;
        }
    }

    static Service serviceOf(Container container) {
        Container top = container;
        while (top.getParent() != null) {
            top = top.getParent();
        }
        return top instanceof Engine engine ? engine.getService() : null;
    }

    private void listen(Container container) {
        if (container instanceof Context context) {
            if (contexts.add(context)) {
                context.addLifecycleListener(this);
            }
            return;
        }
        container.addContainerListener(this);
        for (Container child : container.findChildren()) {
            listen(child);
        }
    }

    private void unlisten(Container container) {
        if (container instanceof Context context) {
            contexts.remove(context);
            starting.remove(context);
            context.removeLifecycleListener(this);
            context.removeLifecycleListener(mapped);
            FollowedContext webapp = followed.get(context);
            if (webapp != null) {
                webapp.stopped();
            }
            return;
        }
        container.removeContainerListener(this);
        for (Container child : container.findChildren()) {
            unlisten(child);
        }
    }

    private static String unknownAttribute(String attribute) {
        String setting = SETTING_BY_ATTRIBUTE.get(attribute);
        if (setting != null) {
            return "ConsulValve attribute '" + attribute + "' would give every webapp the same service, and the same"
                    + " instance ID; expected a " + setting + " context-param in the webapp it names";
        }
        String nearest = ContainerSetting.nearestValveAttribute(attribute).map(a -> "did you mean " + a + "?")
                .orElse("expected one of " + String.join(", ", ContainerSetting.containerValveAttributes()));
        return "ConsulValve attribute '" + attribute + "' is not a setting and is ignored; " + nearest;
    }

    /** {@code consul.check.deregister-after} is the attribute {@code checkDeregisterAfter}, as its declaration says. */
    static String attributeOf(String setting) {
        return ContainerSetting.byKey(setting).orElseThrow().valveAttribute();
    }

    private static Map<String, String> settingsByAttribute() {
        Map<String, String> byAttribute = new LinkedHashMap<>();
        for (ContainerSetting setting : ContainerSetting.all()) {
            byAttribute.put(setting.valveAttribute(), setting.key());
        }
        return Collections.unmodifiableMap(byAttribute);
    }
}
