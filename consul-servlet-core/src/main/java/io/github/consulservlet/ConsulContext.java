package io.github.consulservlet;

import jakarta.servlet.ServletContext;

/**
 * What a webapp uses to talk to Consul: discovery, the KV store and sessions, through the agent
 * the container is configured with. The extension publishes one per webapp as the servlet
 * context attribute {@value #ATTRIBUTE}, and closes it when the webapp stops: its watches are
 * then cancelled. It is safe for concurrent use.
 *
 * <pre>{@code
 * ConsulContext consul = ConsulContext.of(getServletContext());
 * List<ServiceInstance> billing = consul.discovery().service("billing");
 * }</pre>
 */
public interface ConsulContext {

    /** The servlet context attribute under which the webapp's context is published. */
    String ATTRIBUTE = "io.github.consulservlet.ConsulContext";

    /**
     * The context published for this webapp.
     *
     * @throws IllegalStateException when there is none: the extension is not installed, or
     *     {@code consul.enabled} is false for this webapp
     */
    static ConsulContext of(ServletContext servletContext) {
        Object context = servletContext.getAttribute(ATTRIBUTE);
        if (context instanceof ConsulContext consul) {
            return consul;
        }
        throw new IllegalStateException("no ConsulContext in servlet context attribute " + ATTRIBUTE
                + " of '" + servletContext.getContextPath() + "': is consul-servlet installed in the"
                + " container and consul.enabled not false?");
    }

    /** Catalog and health queries, and watches on them. */
    Discovery discovery();

    /** The KV store. */
    KeyValueStore kv();

    /** Sessions, for locks and leader election. */
    Sessions sessions();

    /**
     * Locks, semaphores and leader election that interoperate with HashiCorp's own; released,
     * and their sessions destroyed, when this context closes.
     */
    Locks locks();

    /**
     * This webapp's own instance in Consul: its service ID, state, maintenance and liveness
     * probes.
     *
     * @throws IllegalStateException when this context is not a webapp's (a standalone
     *     {@code ConsulClient} or a context made from one registers nothing)
     */
    default Registration registration() {
        throw new IllegalStateException("this ConsulContext is not a webapp's: only the context that"
                + " consul-servlet publishes to a webapp has a registration");
    }
}
