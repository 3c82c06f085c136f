package io.github.consulservlet.internal.registration;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.github.consulservlet.Liveness;
import io.github.consulservlet.LivenessProbe;
import io.github.consulservlet.internal.client.agent.CheckStatus;

/**
 * The liveness probes one webapp added, and the worst of their answers: DOWN from the moment the
 * webapp is stopping. Owned by {@link WebappRegistration}, which adds and removes probes for the
 * webapp and answers {@code liveness()} from here; asked by the {@link LivenessServlet} (through
 * that view) and, for {@code ttl} checks, by the {@link TtlReporter} on the probe thread.
 */
final class LivenessProbes {
    private final Map<String, LivenessProbe> probes = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();
    private final BooleanSupplier stopping;
    /** Weak: what cleans up an abandoned webapp holds this registration, and must not hold the webapp. */
    private final WeakReference<ClassLoader> webappLoader;
    private volatile Liveness last = Liveness.up();

    LivenessProbes(ClassLoader webappLoader, BooleanSupplier stopping) {
        this.webappLoader = new WeakReference<>(webappLoader);
        this.stopping = stopping;
    }

    void add(String name, LivenessProbe probe) {
        probes.put(name, probe);
        changes.incrementAndGet();
    }

    void remove(String name) {
        probes.remove(name);
        changes.incrementAndGet();
    }

    /** Counts the probes added and removed: a cached answer of other probes is stale. */
    long changes() {
        return changes.get();
    }

    /** The worst answer of the probes now, on the caller's thread. */
    Liveness ask() {
        if (stopping.getAsBoolean()) {
            return Liveness.down("the webapp is stopping");
        }
        Liveness worst = Liveness.up();
        for (Map.Entry<String, LivenessProbe> probe : probes.entrySet()) {
            Liveness found = ask(probe.getKey(), probe.getValue());
            if (found.status().compareTo(worst.status()) > 0) {
                worst = found;
            }
        }
        last = worst;
        return worst;
    }

    /** {@link #ask()} on a thread of ours, with the webapp's class loader as the probes expect. */
    Liveness askAsTheWebapp() {
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        ClassLoader loader = webappLoader.get();
        thread.setContextClassLoader(loader != null ? loader : own);
        try {
            return ask();
        } finally {
            thread.setContextClassLoader(own);
        }
    }

    /** The last answer, as the check's status: what a registration starts its check with. */
    CheckStatus lastStatus() {
        return status(last);
    }

    /** Forgets the probes and the webapp's class loader: nothing of the webapp stays referenced. */
    void clear() {
        probes.clear();
        webappLoader.clear();
    }

    static CheckStatus status(Liveness liveness) {
        return switch (liveness.status()) {
            case UP -> CheckStatus.PASSING;
            case WARNING -> CheckStatus.WARNING;
            case DOWN -> CheckStatus.CRITICAL;
        };
    }

    private static Liveness ask(String name, LivenessProbe probe) {
        try {
            Liveness found = probe.check();
            if (found == null) {
                return Liveness.down(name + ": the probe answered null");
            }
            return switch (found.status()) {
                case UP -> found;
                case WARNING -> Liveness.warning(name + ": " + found.note());
                case DOWN -> Liveness.down(name + ": " + found.note());
            };
        } catch (VirtualMachineError e) {
            throw e; // out of memory or stack: not the probe's answer; the caller reports down
        } catch (Throwable e) { // an AssertionError or a LinkageError from a webapp's probe is its answer too
            return Liveness.down(name + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}
