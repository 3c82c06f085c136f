package io.github.consulservlet.jetty;

import java.util.Optional;

import jakarta.servlet.ServletContext;

import io.github.consulservlet.spi.ContainerAdapter;

/**
 * The {@link ContainerAdapter} through which consul-servlet's initializer finds the
 * {@link ConsulJettyListener} of the Jetty server that starts a webapp. Declared in
 * {@code META-INF/services}; it keeps no state of its own.
 *
 * <p>It answers empty, leaving the webapp to consul-servlet's core-only mode, when no
 * {@code ConsulJettyListener} of this class loader (this Jetty environment) is installed on the
 * webapp's server, or when the jar runs in another container than Jetty.
 */
public final class JettyContainerAdapter implements ContainerAdapter {

    /** For {@link java.util.ServiceLoader}. */
    public JettyContainerAdapter() {
    }

    @Override
    public Optional<Binding> follow(ServletContext webapp) {
        try {
            return ConsulJettyListener.followStarting(webapp.getContextPath());
        } catch (LinkageError e) { // Jetty's classes are not there: another container
            return Optional.empty();
        }
    }
}
