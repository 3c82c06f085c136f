package io.github.consulservlet.spi;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the extension's threads: daemons named {@code consul-servlet-<role>-<n>} (so they can be
 * counted), whose context class loader is the one that loaded the extension, never a webapp's:
 * a container must not see them as threads a webapp started and leaked. A thread may be made
 * while a webapp's code is on the stack (its first watch starts the scheduler), so it inherits
 * neither that code's inheritable thread locals nor, through its access control context, the
 * protection domains that would pin the webapp's class loader.
 */
public final class ExtensionThreads implements ThreadFactory {
    private static final System.Logger LOG = ExtensionLog.logger(ExtensionLog.CLIENT);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String role;

    public ExtensionThreads(String role) {
        this.role = role;
    }

    @Override
    @SuppressWarnings("removal") // doPrivileged is what keeps the caller's protection domains off the thread on Java 17 to 23
    public Thread newThread(Runnable task) {
        return java.security.AccessController.doPrivileged((java.security.PrivilegedAction<Thread>) () -> create(task));
    }

    /**
     * Runs {@code tasks} at once, each on a thread of its own (or here, when no thread can be had),
     * and returns once all have ended: what a container adapter does to drain every webapp at the
     * server's stop. Each task must end by itself; an interrupt is kept for the caller, not obeyed,
     * since the webapps must be out of Consul before the server goes on stopping them.
     */
    public void runAll(List<Runnable> tasks) {
        CountDownLatch done = new CountDownLatch(tasks.size());
        for (Runnable task : tasks) {
            Runnable counted = () -> {
                try {
                    task.run();
                } finally {
                    done.countDown();
                }
            };
            try {
                newThread(counted).start();
            } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had: run it here
                counted.run();
            }
        }
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private Thread create(Runnable task) {
        Thread thread = new Thread(null, task, "consul-servlet-" + role + "-" + SEQUENCE.incrementAndGet(), 0, false);
        thread.setDaemon(true);
        thread.setContextClassLoader(ExtensionThreads.class.getClassLoader());
        thread.setUncaughtExceptionHandler((t, e) ->
                LOG.log(System.Logger.Level.ERROR, "uncaught failure in " + t.getName(), e));
        return thread;
    }
}
