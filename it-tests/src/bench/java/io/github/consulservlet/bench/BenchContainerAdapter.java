package io.github.consulservlet.bench;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.ServletContext;

import io.github.consulservlet.registration.ContainerAdapter;
import io.github.consulservlet.registration.WebappLifecycle;

/**
 * The container adapter of the registration latency benchmark, found through
 * {@code META-INF/services} as the Tomcat and Jetty modules' are: it follows the webapps whose
 * context parameter {@value #FOLLOW} is true, and {@link RegistrationLatency} reports their start
 * and stop through it, as a container module does.
 */
public final class BenchContainerAdapter implements ContainerAdapter {
    static final String FOLLOW = "bench.adapter.follow";
    private static final Map<String, Followed> FOLLOWED = new ConcurrentHashMap<>();

    /** For {@link java.util.ServiceLoader}. */
    public BenchContainerAdapter() {
    }

    @Override
    public Optional<Binding> follow(ServletContext webapp) {
        if (!"true".equals(webapp.getInitParameter(FOLLOW))) {
            return Optional.empty();
        }
        Followed followed = new Followed(webapp.getContextPath());
        FOLLOWED.put(webapp.getContextPath(), followed);
        return Optional.of(followed);
    }

    /** The lifecycle of the followed webapp at {@code contextPath} ("" for the root). */
    static Optional<WebappLifecycle> lifecycle(String contextPath) {
        return Optional.ofNullable(FOLLOWED.get(contextPath)).map(f -> f.lifecycle);
    }

    private static final class Followed implements Binding {
        private final String contextPath;
        private volatile WebappLifecycle lifecycle;

        Followed(String contextPath) {
            this.contextPath = contextPath;
        }

        @Override
        public Map<String, String> settings() {
            return Map.of();
        }

        @Override
        public void attach(WebappLifecycle lifecycle) {
            this.lifecycle = lifecycle;
        }

        @Override
        public int inFlightRequests() {
            return 0; // the benchmark sends the webapp no requests
        }

        @Override
        public void detach() {
            FOLLOWED.remove(contextPath, this);
            lifecycle = null;
        }
    }
}
