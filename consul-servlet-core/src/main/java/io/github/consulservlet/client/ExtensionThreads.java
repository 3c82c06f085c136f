package io.github.consulservlet.client;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the extension's threads: daemons named {@code consul-servlet-<role>-<n>} (so they can be
 * counted), whose context class loader is the one that loaded the extension, never a webapp's:
 * a container must not see them as threads a webapp started and leaked.
 */
final class ExtensionThreads implements ThreadFactory {
    private static final System.Logger LOG = System.getLogger(ConsulClient.class.getName());
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String role;

    ExtensionThreads(String role) {
        this.role = role;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, "consul-servlet-" + role + "-" + SEQUENCE.incrementAndGet());
        thread.setDaemon(true);
        thread.setContextClassLoader(ExtensionThreads.class.getClassLoader());
        thread.setUncaughtExceptionHandler((t, e) ->
                LOG.log(System.Logger.Level.ERROR, "uncaught failure in " + t.getName(), e));
        return thread;
    }
}
