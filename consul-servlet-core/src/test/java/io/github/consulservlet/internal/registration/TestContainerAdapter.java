package io.github.consulservlet.internal.registration;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.ServletContext;

import io.github.consulservlet.spi.ContainerAdapter;
import io.github.consulservlet.spi.WebappLifecycle;

/**
 * A container adapter for the embedded Jetty of these tests, found through
 * {@code META-INF/services} as a real one is. It follows the webapps whose context parameter
 * {@value #FOLLOW} is true; {@link EmbeddedJetty} reports their start and stop through it, as the
 * Jetty module does.
 */
public final class TestContainerAdapter implements ContainerAdapter {
    static final String FOLLOW = "test.adapter.follow";
    /** A context parameter: {@code true} reports the webapp as started on a TLS connector. */
    static final String TLS = "test.adapter.tls";
    static volatile Map<String, String> containerSettings = Map.of();
    private static final Map<String, Followed> FOLLOWED = new ConcurrentHashMap<>();

    @Override
    public Optional<Binding> follow(ServletContext webapp) {
        if (!"true".equals(webapp.getInitParameter(FOLLOW))) {
            return Optional.empty();
        }
        Followed followed = new Followed(webapp.getContextPath());
        FOLLOWED.put(webapp.getContextPath(), followed);
        return Optional.of(followed);
    }

    static Optional<Followed> followed(String contextPath) {
        return Optional.ofNullable(FOLLOWED.get(contextPath));
    }

    static int followedCount() {
        return FOLLOWED.size();
    }

    /** What the adapter knows of one webapp. */
    static final class Followed implements Binding {
        final String contextPath;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile WebappLifecycle lifecycle;

        Followed(String contextPath) {
            this.contextPath = contextPath;
        }

        @Override
        public Map<String, String> settings() {
            return containerSettings;
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
            FOLLOWED.remove(contextPath, this);
            lifecycle = null;
        }
    }
}
