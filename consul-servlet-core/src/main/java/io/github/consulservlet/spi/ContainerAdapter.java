package io.github.consulservlet.spi;

import java.util.Map;
import java.util.Optional;

import jakarta.servlet.ServletContext;

/**
 * The SPI through which a container module (the Tomcat {@code ConsulValve}, the Jetty
 * {@code consul} module) tells consul-servlet what only the container knows: when a webapp has
 * really started and on which port its connector is bound, and when it is about to stop. Found
 * with {@link java.util.ServiceLoader} in the class loader that loaded consul-servlet;
 * implementations need a public no-argument constructor.
 *
 * <p>The initializer asks each adapter, as each webapp starts, whether it follows that webapp.
 * Without an adapter that does (the core jar alone, or the module's jar without its container
 * configuration), the webapp is registered from {@code contextInitialized}, with its check
 * critical until the first probe and the port from {@code consul.service.port}, and deregistered
 * from {@code contextDestroyed}.
 *
 * <p>An adapter only translates what its container knows (contexts, connectors with their
 * protocol, host, port and whether they are bound, class loaders, the container's start) into
 * this SPI; the policies are core's, the same for every container: which connector gives the
 * port ({@link ConnectorChoice}), what a wildcard host means ({@link ListeningAddress}), when the
 * webapp may be registered ({@link StartedGate}), the guards that let one answer or one stop
 * through per start ({@link OncePerStart}), and how a context path is written
 * ({@link WebappNames}).
 */
public interface ContainerAdapter {

    /**
     * Called on the thread that starts the webapp, before anything is registered. Answers the
     * binding when this adapter follows the webapp, or empty.
     *
     * @throws IllegalArgumentException when the adapter's own configuration cannot be used (a
     *     container-level setting it does not know, say): the webapp fails to deploy with the
     *     exception's message, which names what to change
     */
    Optional<Binding> follow(ServletContext webapp);

    /** What an adapter knows of one webapp it follows. */
    interface Binding {

        /** The container-level settings, by setting name ({@code consul.agent}, ...). */
        Map<String, String> settings();

        /**
         * What the container-level settings are called where a problem or a warning names where a
         * value came from: {@code ConsulValve attribute}, {@code Jetty property}.
         */
        default String settingsOrigin() {
            return "container setting";
        }

        /**
         * Hands the adapter the webapp's lifecycle, once consul-servlet has set it up. The adapter
         * calls {@link WebappLifecycle#started} when the webapp has started and the container
         * accepts traffic, {@link WebappLifecycle#stopping} before the webapp stops serving, and
         * {@link WebappLifecycle#stopped} once it has stopped or failed to start. Not called
         * when the webapp is disabled or its settings are invalid.
         */
        void attach(WebappLifecycle lifecycle);

        /** How many requests of this webapp are being served now, for the drain. */
        int inFlightRequests();

        /** The webapp is gone (stopped, or failed to deploy): forget it and anything of it. */
        void detach();
    }
}
