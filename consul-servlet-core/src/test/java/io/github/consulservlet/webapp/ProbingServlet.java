package io.github.consulservlet.webapp;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpServlet;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.Liveness;
import io.github.consulservlet.SessionOptions;

/**
 * A webapp's own servlet, copied into {@code WEB-INF/classes} by the redeploy test so that its
 * webapp class loader defines it. At start it hands consul-servlet everything that could pin
 * that class loader if kept after undeploy: a liveness probe, a watch listener and a session.
 */
public class ProbingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final AtomicInteger heard = new AtomicInteger();

    @Override
    public void init() {
        ConsulContext consul = ConsulContext.of(getServletContext());
        consul.registration().addLivenessProbe("self", () -> heard.get() >= 0 ? Liveness.up() : Liveness.down("never"));
        consul.kv().watch("redeploy" + getServletContext().getContextPath(), entry -> heard.incrementAndGet());
        consul.sessions().create(SessionOptions.builder().name("redeploy").build());
    }
}
