package io.github.consulservlet.spi;

/**
 * Makes the extension's loggers. Some containers' log managers (Tomcat's JULI) keep a logger tree
 * per context class loader, and close a webapp's tree when the webapp stops; a logger made while a
 * webapp's class loader is the thread's context class loader (our classes are often first used
 * while a webapp starts) would go silent with that webapp. These are made with the extension's
 * own class loader as the context class loader, so they log for as long as the extension is loaded.
 */
public final class ExtensionLog {
    /**
     * The Consul client's logger, named after its class: its threads log there too, so that one
     * logger in a logging configuration covers the client and what runs on its threads.
     */
    public static final String CLIENT = "io.github.consulservlet.internal.client.ConsulClient";

    private ExtensionLog() {
    }

    /** The {@link System.Logger} named {@code name}, bound to the extension's class loader. */
    @SuppressWarnings("removal") // setting the context class loader needs the privilege under a security manager
    public static System.Logger logger(String name) {
        return java.security.AccessController.doPrivileged((java.security.PrivilegedAction<System.Logger>) () -> {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(ExtensionLog.class.getClassLoader());
            try {
                return System.getLogger(name);
            } finally {
                thread.setContextClassLoader(previous);
            }
        });
    }
}
