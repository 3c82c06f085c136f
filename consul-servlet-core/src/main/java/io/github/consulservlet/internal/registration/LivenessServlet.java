package io.github.consulservlet.internal.registration;

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
 * reach this URL. The probes run at most about once a second (and again when the webapp adds or
 * removes one), however often the URL is asked.
 */
final class LivenessServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** How long an answer is reused: anyone who can reach the URL could otherwise run every probe at will. */
    static final long CACHE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final transient WebappRegistration registration;
    private final transient java.util.concurrent.locks.ReentrantLock asking = new java.util.concurrent.locks.ReentrantLock();
    private transient volatile Answer cached;

    LivenessServlet(WebappRegistration registration) {
        this.registration = registration;
    }

    private record Answer(Liveness liveness, long at, long probes) {
        boolean fresh(WebappRegistration registration) {
            return System.nanoTime() - at < CACHE_NANOS && probes == registration.probesChanged();
        }
    }

    /**
     * The probes' answer, asked at most once a second; while one request asks them, the others
     * get the previous answer. A webapp that drains answers DOWN at once, whatever is cached.
     */
    private Liveness liveness() {
        if (registration.draining()) {
            return registration.liveness();
        }
        Answer answer = cached;
        if (answer != null && answer.fresh(registration)) {
            return answer.liveness();
        }
        if (answer != null && !asking.tryLock()) {
            return answer.liveness();
        }
        if (answer == null) {
            asking.lock();
        }
        try {
            Answer again = cached;
            if (again != null && again != answer && again.fresh(registration)) {
                return again.liveness();
            }
            long probes = registration.probesChanged();
            Liveness now = registration.liveness();
            cached = new Answer(now, System.nanoTime(), probes);
            return now;
        } finally {
            asking.unlock();
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Liveness liveness = liveness();
        if (liveness.status() == Liveness.Status.UP) {
            registration.answeredUp();
        }
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
