package io.github.consulservlet.spi;

/**
 * How consul-servlet writes a webapp's context path. Containers spell the root context
 * differently ({@code "/"}, {@code ""} or null); the Servlet API says {@code ""}, and log lines
 * say {@code "/"}, so that the root webapp is never an empty name. Container adapters call
 * {@link #servletContextPath} on the path their context gives, and {@link #displayName} for
 * their log lines; the initializer and the registration use {@link #displayName} too. (The
 * service name derived from the path is a setting's default, in {@code ConsulSettings}.)
 */
public final class WebappNames {

    private WebappNames() {
    }

    /** The context path as the Servlet API gives it: {@code ""} for the root context. */
    public static String servletContextPath(String containerPath) {
        return containerPath == null || containerPath.equals("/") ? "" : containerPath;
    }

    /** The webapp's name in log lines: its context path, {@code "/"} for the root context. */
    public static String displayName(String contextPath) {
        return contextPath == null || contextPath.isEmpty() ? "/" : contextPath;
    }
}
