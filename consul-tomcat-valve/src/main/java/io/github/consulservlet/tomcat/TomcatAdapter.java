package io.github.consulservlet.tomcat;

import java.util.Optional;

import jakarta.servlet.ServletContext;

import io.github.consulservlet.spi.ContainerAdapter;

/**
 * Tomcat's {@link ContainerAdapter}, found by consul-servlet through {@code META-INF/services}:
 * a webapp is followed by the first {@link ConsulValve} of {@code server.xml} above it. Without a
 * valve, consul-servlet runs in core-only mode.
 */
public final class TomcatAdapter implements ContainerAdapter {

    /** For {@link java.util.ServiceLoader}. */
    public TomcatAdapter() {
    }

    @Override
    public Optional<Binding> follow(ServletContext webapp) {
        for (ConsulValve valve : ConsulValve.INSTALLED) {
            FollowedContext binding = valve.follow(webapp);
            if (binding != null) {
                return Optional.of(binding);
            }
        }
        return Optional.empty();
    }
}
