package io.github.consulservlet.registration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.github.consulservlet.Liveness;

/**
 * The webapp's liveness endpoint ({@code consul.check.path}, {@code /consul/health} by default)
 * that Consul's HTTP check probes: 200 {@code UP}, 429 {@code WARNING} (Consul's warning), 503
 * {@code DOWN} while the webapp drains or a liveness probe fails. The body is the status word
 * alone: what failed goes to Consul's check output in {@code ttl} mode and never to whoever can
 * reach this URL.
 */
final class LivenessServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient WebappRegistration registration;

    LivenessServlet(WebappRegistration registration) {
        this.registration = registration;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Liveness liveness = registration.liveness();
        response.setStatus(switch (liveness.status()) {
            case UP -> HttpServletResponse.SC_OK;
            case WARNING -> 429;
            case DOWN -> HttpServletResponse.SC_SERVICE_UNAVAILABLE;
        });
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("text/plain");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(liveness.status().name() + "\n");
    }
}
