package io.github.consulservlet.it.sample;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.github.consulservlet.ConsulContext;
import io.github.consulservlet.ConsulLock;
import io.github.consulservlet.KvEntry;
import io.github.consulservlet.KvWriteOptions;
import io.github.consulservlet.LeaderListener;
import io.github.consulservlet.Leadership;
import io.github.consulservlet.Liveness;
import io.github.consulservlet.LockLost;
import io.github.consulservlet.ServiceInstance;

/**
 * The sample webapp the end-to-end tests deploy (packed by {@link io.github.consulservlet.it.SampleWar}
 * from the tests' classes; {@code ConsulContext} comes from the container's lib). Mapped at
 * {@code /app/*}; it uses Consul only through the servlet context attribute, as a user's app does.
 * Its liveness probe fails on {@code /app/fail-liveness?because=...} and recovers on
 * {@code /app/recover-liveness}: what the agent's check must follow.
 */
public class SampleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** One per webapp: each webapp loads this class in its own class loader. */
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    /** Requests that reached /hold or /async-hold: a test waits for its request to be in flight. */
    private static final AtomicInteger HOLDING = new AtomicInteger();

    /** Why the webapp's liveness probe fails, or null while it is up. */
    private volatile String failing;
    /** The webapp's contention for leadership, once /lead started it; released when the webapp stops. */
    private volatile Leadership leadership;
    /** Since when this webapp is leader (System.currentTimeMillis), or 0 while it is not. */
    private volatile long leaderSince;

    @Override
    public void init() {
        ConsulContext consul = (ConsulContext) getServletContext().getAttribute(ConsulContext.ATTRIBUTE);
        if (consul != null) { // none with consul.enabled=false
            consul.registration().addLivenessProbe("sample", () -> {
                String why = failing;
                return why == null ? Liveness.up() : Liveness.down(why);
            });
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        PrintWriter out = response.getWriter();
        String path = request.getPathInfo() == null ? "/hello" : request.getPathInfo();
        switch (path) {
            case "/hello" -> out.print("hello from " + getServletContext().getContextPath());
            case "/hold" -> {
                // a request in flight until /release, or until the file ?until= exists (a stopping
                // Jetty context takes no new request): what a drain must wait for
                HOLDING.incrementAndGet();
                String until = request.getParameter("until");
                try {
                    boolean released = until == null ? RELEASE.await(60, TimeUnit.SECONDS) : appears(Path.of(until));
                    out.print(released ? "released" : "timed out");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    out.print("interrupted");
                }
            }
            case "/async-hold" -> {
                // the same, asynchronously: the request is in flight after this method returns
                HOLDING.incrementAndGet();
                AsyncContext async = request.startAsync();
                async.setTimeout(0);
                async.start(() -> {
                    try {
                        boolean released = RELEASE.await(60, TimeUnit.SECONDS);
                        async.getResponse().getWriter().print(released ? "released" : "timed out");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        async.complete();
                    }
                });
            }
            case "/holding" -> out.print(HOLDING.get());
            case "/fail-liveness" -> {
                failing = request.getParameter("because") == null ? "failing on request" : request.getParameter("because");
                out.print("failing");
            }
            case "/recover-liveness" -> {
                failing = null;
                out.print("up");
            }
            case "/release" -> {
                RELEASE.countDown();
                out.print("ok");
            }
            case "/kv" -> {
                String key = request.getParameter("key");
                if (request.getParameter("value") != null) {
                    consul().kv().set(key, request.getParameter("value"));
                }
                out.print(consul().kv().getString(key).orElse("<missing>"));
            }
            case "/discover" -> {
                for (ServiceInstance instance : consul().discovery().service(request.getParameter("name"))) {
                    out.println(instance.name() + " " + instance.address() + " " + instance.port());
                }
            }
            case "/lock" -> {
                String key = request.getParameter("key");
                String session = consul().sessions().create();
                boolean acquired = consul().kv().set(key, getServletContext().getContextPath(), KvWriteOptions.acquire(session));
                String holder = consul().kv().get(key).flatMap(KvEntry::session).orElse("<none>");
                out.print("acquired=" + acquired + " holder=" + (holder.equals(session) ? "this session" : holder));
            }
            case "/lead" -> {
                // contends for leadership on ?key= until the webapp stops, as a user's scheduled job would
                synchronized (this) {
                    if (leadership == null) {
                        leadership = consul().locks().leadership(request.getParameter("key"), new LeaderListener() {
                            @Override
                            public void elected(ConsulLock lock) {
                                leaderSince = System.currentTimeMillis();
                            }

                            @Override
                            public void revoked(LockLost why) {
                                leaderSince = 0;
                            }
                        });
                    }
                }
                out.print("contending");
            }
            case "/leader" -> {
                long since = leaderSince;
                out.print(since == 0 ? "follower" : "leader since " + since);
            }
            default -> response.sendError(404);
        }
    }

    /** Waits (at most a minute) for {@code file} to be created, told by the file system. */
    private static boolean appears(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (WatchService watcher = file.getFileSystem().newWatchService()) {
            file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(file)) {
                long left = deadline - System.nanoTime();
                WatchKey key = left > 0 ? watcher.poll(left, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    return Files.exists(file);
                }
                key.pollEvents();
                key.reset();
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asked only where used: a webapp with consul.enabled=false has none, and serves /hello. */
    private ConsulContext consul() {
        return ConsulContext.of(getServletContext());
    }

    @Override
    public void destroy() {
        // The tests read this line: a webapp must be out of Consul before its servlets go.
        ConsulContext consul = (ConsulContext) getServletContext().getAttribute(ConsulContext.ATTRIBUTE);
        if (consul != null) {
            String name = consul.registration().serviceName();
            boolean inCatalog = consul.discovery().services().containsKey(name);
            System.out.println("consul-it: " + getServletContext().getContextPath() + " destroyed, in catalog: " + inCatalog);
        }
    }
}
