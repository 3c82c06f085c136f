package io.github.consulservlet.internal.registration;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.github.consulservlet.spi.ExtensionThreads;

/**
 * The thread of one shared client that asks the webapps' liveness probes for {@code ttl} checks,
 * made on first use, so that a probe that hangs cannot stop registrations; replaced when a probe
 * is stuck or a webapp that ran probes stops. Owned by a {@link SharedClient}; used by the
 * {@link TtlReporter} through the webapp's {@link ClientPool.Lease}.
 */
final class ProbeThreads {
    private ExecutorService probes; // guarded by this

    synchronized ExecutorService get() {
        if (probes == null) {
            probes = Executors.newSingleThreadExecutor(new ExtensionThreads("probes"));
        }
        return probes;
    }

    /** Later probes run on a new thread; the old one ends once its queue is done. */
    synchronized void renew() {
        if (probes != null) {
            probes.shutdown();
            probes = null;
        }
    }

    /** Gives up a thread stuck in a probe; the probes waiting on it run on a new one. */
    synchronized void replace(ExecutorService stuck) {
        if (probes == stuck) {
            RegistrationLog.probeStuck();
            List<Runnable> waiting = stuck.shutdownNow(); // interrupts the stuck probe, which may or may not listen
            probes = Executors.newSingleThreadExecutor(new ExtensionThreads("probes"));
            waiting.forEach(probes::execute);
        }
    }

    synchronized void close() {
        if (probes != null) {
            probes.shutdownNow();
        }
    }
}
