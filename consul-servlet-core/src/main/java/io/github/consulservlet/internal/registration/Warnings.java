package io.github.consulservlet.internal.registration;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.consulservlet.spi.ExtensionLog;

/**
 * Logs each settings warning once per JVM: every redeploy of every webapp that shares the
 * container's settings would repeat it otherwise. Bounded: past {@value #MAX} distinct lines,
 * the rest are logged each time rather than remembered.
 */
final class Warnings {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulServletInitializer.class.getName());
    private static final int MAX = 1000;
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private Warnings() {
    }

    static void once(String warning) {
        if (LOGGED.size() >= MAX || LOGGED.add(warning)) {
            LOG.log(System.Logger.Level.WARNING, "consul-servlet: " + warning);
        }
    }
}
