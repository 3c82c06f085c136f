package io.github.consulservlet.internal.registration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletSecurityElement;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.QueryOptions;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.ScopedConsulContext;
import io.github.consulservlet.internal.config.ConsulSettings;
import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.ExtensionLog;
import io.github.consulservlet.spi.WebappNames;

/**
 * Runs for every webapp of the container (declared in {@code META-INF/services}, found by the
 * container in the extension's jar). It resolves the webapp's {@code consul.*} settings,
 * publishes its {@link ConsulContext} as the attribute {@value ConsulContext#ATTRIBUTE}, adds the
 * liveness servlet at {@code consul.check.path} unless the webapp serves that path itself, and
 * hands the webapp's lifecycle to the {@link ContainerAdapter} that follows it, or registers from
 * {@code contextInitialized} and deregisters from {@code contextDestroyed} when none does.
 *
 * <p>A setting that cannot be used costs this webapp its registration, not its deployment: one log
 * line names the setting, the value, where it came from and the accepted form, and the webapp is
 * served without a {@code ConsulContext}; {@code consul.fail-webapp-on-error=true} fails its
 * deployment instead. The container's other webapps are not touched. {@code consul.enabled=false},
 * or the container's {@code consul.webapps.exclude}, leaves the webapp alone. An unreachable agent is not an error:
 * the webapp starts, and registration is retried in the background.
 */
public final class ConsulServletInitializer implements ServletContainerInitializer {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulServletInitializer.class.getName());
    private static final String LIVENESS_SERVLET = "consul-servlet-liveness";

    /** For the container, through {@link ServiceLoader}. */
    public ConsulServletInitializer() {
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext webapp) throws ServletException {
        String name = WebappNames.displayName(webapp.getContextPath());
        ContainerAdapter.Binding binding = null;
        try {
            binding = Adapters.follow(webapp);
            setUp(webapp, binding);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // InvalidSettingsException, a TLS file that is not PEM, or an adapter's own configuration
            if (binding != null) {
                binding.detach();
            }
            webapp.removeAttribute(ConsulContext.ATTRIBUTE);
            if (ConsulSettings.failsWebappOnError(contextParams(webapp), binding == null ? Map.of() : binding.settings(),
                    System::getProperty)) {
                String message = "consul-servlet: webapp " + name + " not deployed: " + LogText.remote(e.getMessage());
                LOG.log(System.Logger.Level.ERROR, message);
                throw new ServletException(message);
            }
            // one line, no trace: the webapp is served, only its registration is given up
            LOG.log(System.Logger.Level.ERROR, "consul-servlet: " + name + " is served but not registered, and has no"
                    + " ConsulContext: " + LogText.remote(e.getMessage()));
        } catch (RuntimeException | Error e) {
            if (binding != null) {
                binding.detach(); // the adapter must not keep a webapp that never got its lifecycle
            }
            throw e;
        }
    }

    /**
     * The steps for one webapp, in order: resolve its settings; stop there when it is disabled;
     * log the warnings; check that its port is known and that its check mode can ask its
     * liveness; then publish its context, liveness endpoint and lifecycle.
     */
    private static void setUp(ServletContext webapp, ContainerAdapter.Binding binding) {
        ConsulSettings settings = binding == null ? ConsulSettings.resolve(webapp.getContextPath(), contextParams(webapp), Map.of())
                : ConsulSettings.resolve(webapp.getContextPath(), contextParams(webapp), binding.settings(),
                        binding.settingsOrigin());
        if (!settings.enabled()) {
            settings.warnings().forEach(Warnings::once);
            leaveAlone(webapp, binding, settings);
            return;
        }
        settings.warnings().forEach(Warnings::once);
        requirePort(settings, binding);
        boolean servedByWebapp = servedByWebapp(webapp, settings.checkPath(), settings.checkPathIsDefault());
        requireLivenessForMode(settings, servedByWebapp);
        ClientPool.Lease lease = ClientPool.SHARED.lease(settings, webapp.getContextPath());
        WebappRegistration registration = new WebappRegistration(webapp.getContextPath(), settings, lease, binding,
                webapp.getClassLoader());
        publish(webapp, binding, settings, lease, registration, !servedByWebapp);
    }

    /** {@code consul.enabled=false}, or left out by the container: one log line, and the adapter lets the webapp go. */
    private static void leaveAlone(ServletContext webapp, ContainerAdapter.Binding binding, ConsulSettings settings) {
        String why = settings.leftOutByContainer().orElse("has consul.enabled=false");
        LOG.log(System.Logger.Level.INFO, "consul-servlet: " + WebappNames.displayName(webapp.getContextPath())
                + " " + why + ": not registered, no ConsulContext");
        if (binding != null) {
            binding.detach();
        }
    }

    /** Without an adapter, only {@code consul.service.port} says where the webapp listens. */
    private static void requirePort(ConsulSettings settings, ContainerAdapter.Binding binding) {
        if (binding == null && settings.servicePort().isEmpty()) {
            bundledIn(ownLocation()).ifPresent(jar -> {
                throw new IllegalStateException(bundledMessage(jar));
            });
            throw new IllegalArgumentException("consul.service.port is not set; expected an integer from 1 to 65535:"
                    + " no container adapter (Tomcat's ConsulValve, Jetty's consul module) reports this webapp's port");
        }
    }

    /** A TTL check asks consul-servlet's own liveness, so its path must not be the webapp's. */
    private static void requireLivenessForMode(ConsulSettings settings, boolean servedByWebapp) {
        if (servedByWebapp && settings.checkMode() == ConsulSettings.CheckMode.TTL) {
            throw new IllegalArgumentException("consul.check.path '" + settings.checkPath() + "' is served by the"
                    + " webapp itself, and consul.check.mode ttl can only ask consul-servlet's own liveness; expected"
                    + " consul.check.mode http to have the agent probe the webapp's endpoint, or a path the webapp does not serve");
        }
    }

    /**
     * Gives the webapp its {@link ConsulContext}, the liveness servlet when {@code addLiveness},
     * and the listener of its lifecycle, then hands the registration to the adapter; on any
     * failure undoes what was done, so that nothing of the webapp stays behind.
     */
    private static void publish(ServletContext webapp, ContainerAdapter.Binding binding, ConsulSettings settings,
            ClientPool.Lease lease, WebappRegistration registration, boolean addLiveness) {
        ScopedConsulContext scope = null;
        try {
            QueryOptions.Builder defaults = QueryOptions.builder().consistency(settings.consistencyMode());
            settings.datacenter().ifPresent(defaults::datacenter);
            scope = lease.client().newContext(defaults.build());
            WebappConsulContext context = new WebappConsulContext(scope, registration, binding);
            registration.beforeDeregistration(scope::releaseLocks);
            if (addLiveness) {
                addLivenessServlet(webapp, registration, settings.checkPath());
            }
            webapp.setAttribute(ConsulContext.ATTRIBUTE, context);
            webapp.addListener(new Lifecycle(context, registration, binding, settings));
            // contextDestroyed never comes if the deployment fails after this initializer
            registration.onStopped(context.closeIfAbandoned(ClientPool.SHARED));
            if (binding != null) {
                binding.attach(registration);
            }
        } catch (RuntimeException | Error e) {
            webapp.removeAttribute(ConsulContext.ATTRIBUTE);
            if (scope != null) {
                scope.close();
            }
            registration.close();
            throw e;
        }
    }

    private static void addLivenessServlet(ServletContext webapp, WebappRegistration registration, String path) {
        ServletRegistration.Dynamic servlet = webapp.addServlet(LIVENESS_SERVLET, new LivenessServlet(registration));
        if (servlet == null) {
            throw new IllegalStateException("the webapp already has a servlet named " + LIVENESS_SERVLET
                    + "; expected that name to be free for consul-servlet's liveness endpoint");
        }
        servlet.addMapping(path);
        // Tomcat then exempts the path from the webapp's security constraints (Jetty 12 does not)
        servlet.setServletSecurity(new ServletSecurityElement());
    }

    /** Where this class was loaded from, or null when the JVM does not say. */
    private static String ownLocation() {
        try {
            java.security.CodeSource source = ConsulServletInitializer.class.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? null : source.getLocation().toString();
        } catch (SecurityException e) {
            return null;
        }
    }

    /**
     * The jar, when this copy of consul-servlet is the webapp's own ({@code WEB-INF/lib}): the
     * container's adapter follows only the container's copy, so such a webapp is never followed.
     */
    static Optional<String> bundledIn(String location) {
        return location != null && location.contains("/WEB-INF/lib/") ? Optional.of(location) : Optional.empty();
    }

    static String bundledMessage(String jar) {
        return "this webapp bundles its own copy of consul-servlet (" + jar + "), which the container's adapter"
                + " (Tomcat's ConsulValve, Jetty's consul module) cannot follow, so no adapter reports its port;"
                + " expected consul-servlet in the container only (a provided dependency of the webapp), or"
                + " consul.service.port set for a webapp that registers on its own";
    }

    private static Map<String, String> contextParams(ServletContext webapp) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String key : Collections.list(webapp.getInitParameterNames())) {
            params.put(key, webapp.getInitParameter(key));
        }
        return params;
    }

    /**
     * Whether the webapp serves the check path itself. At the default path only an exact mapping
     * counts: ours, exact too, wins over the webapp's {@code /*} or {@code *.ext} mappings (a
     * JAX-RS or single-page app), as the Servlet spec orders them. A path the user named is the
     * webapp's whenever one of its mappings (not the default servlet) takes it.
     */
    static boolean servedByWebapp(ServletContext webapp, String path, boolean defaultPath) {
        for (ServletRegistration servlet : webapp.getServletRegistrations().values()) {
            for (String mapping : servlet.getMappings()) {
                if (defaultPath ? mapping.equals(path) : matches(mapping, path)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean matches(String mapping, String path) {
        if (mapping.equals("/") || mapping.isEmpty()) {
            return false; // the default servlet and the context root serve files, not a liveness endpoint
        }
        if (mapping.endsWith("/*")) {
            String prefix = mapping.substring(0, mapping.length() - 2);
            return path.equals(prefix) || path.startsWith(prefix + "/");
        }
        if (mapping.startsWith("*.")) {
            return path.endsWith(mapping.substring(1));
        }
        return mapping.equals(path);
    }

    /**
     * Registers from {@code contextInitialized} when no adapter reports the start (added last, it
     * runs after the webapp's own listeners), and closes everything from {@code contextDestroyed}.
     */
    private static final class Lifecycle implements ServletContextListener {
        private final WebappConsulContext context;
        private final WebappRegistration registration;
        private final ContainerAdapter.Binding binding;
        private final ConsulSettings settings;

        Lifecycle(WebappConsulContext context, WebappRegistration registration, ContainerAdapter.Binding binding,
                ConsulSettings settings) {
            this.context = context;
            this.registration = registration;
            this.binding = binding;
            this.settings = settings;
        }

        @Override
        public void contextInitialized(ServletContextEvent event) {
            if (binding == null) {
                registration.started("", settings.servicePort().orElseThrow());
            }
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            try {
                context.close();
            } finally {
                event.getServletContext().removeAttribute(ConsulContext.ATTRIBUTE);
            }
        }
    }

    /** The container adapters on the extension's class path, loaded once. */
    private static final class Adapters {
        private static final List<ContainerAdapter> ALL = load();

        static ContainerAdapter.Binding follow(ServletContext webapp) {
            for (ContainerAdapter adapter : ALL) {
                Optional<ContainerAdapter.Binding> binding = adapter.follow(webapp);
                if (binding.isPresent()) {
                    return binding.get();
                }
            }
            return null;
        }

        private static List<ContainerAdapter> load() {
            List<ContainerAdapter> adapters = new java.util.ArrayList<>();
            var loader = ServiceLoader.load(ContainerAdapter.class, ConsulServletInitializer.class.getClassLoader()).iterator();
            while (true) {
                try {
                    if (!loader.hasNext()) {
                        break;
                    }
                    adapters.add(loader.next());
                } catch (ServiceConfigurationError e) {
                    LOG.log(System.Logger.Level.ERROR, "consul-servlet: a container adapter could not be loaded: " + LogText.remote(e.getMessage()));
                }
            }
            return List.copyOf(adapters);
        }
    }
}
