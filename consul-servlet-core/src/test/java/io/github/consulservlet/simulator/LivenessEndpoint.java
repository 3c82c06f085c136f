package io.github.consulservlet.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/** An HTTP endpoint on 127.0.0.1 and a free port whose status a test sets, for checks to probe. */
public final class LivenessEndpoint implements AutoCloseable {
    private final HttpServer server;
    private volatile int status = 200;
    private volatile String body = "up";
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final AtomicInteger probes = new AtomicInteger();

    public LivenessEndpoint() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/health", exchange -> {
            probes.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** Holds every answer until {@link #release()}: a probe stays out as long as the test needs. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void release() {
        gate.countDown();
    }

    /** Answers this from now on. */
    public void answer(int newStatus, String newBody) {
        body = newBody;
        status = newStatus;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    /** How many probes reached it. */
    public int probes() {
        return probes.get();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
