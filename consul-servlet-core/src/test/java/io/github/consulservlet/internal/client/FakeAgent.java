package io.github.consulservlet.internal.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A scriptable agent on 127.0.0.1 and a free port, for behaviour that MockServer's canned answers
 * cannot express: answers that depend on the query (blocking queries), on the call count, or
 * that wait for the test. Records every call as it arrived on the wire.
 */
public final class FakeAgent implements AutoCloseable {

    /** A call as it arrived: raw path and query. */
    record Call(String method, String path, String query, long atNanos) {
        /** The {@code index} query parameter, or -1 when absent. */
        long index() {
            return param("index").map(Long::parseLong).orElse(-1L);
        }

        java.util.Optional<String> param(String name) {
            if (query == null) {
                return java.util.Optional.empty();
            }
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv[0].equals(name)) {
                    return java.util.Optional.of(kv.length > 1 ? kv[1] : "");
                }
            }
            return java.util.Optional.empty();
        }
    }

    /** What to answer. */
    record Answer(int status, long index, String body) {
    }

    /** Decides the answer of a call; may block, as a blocking query does on a real agent. */
    interface Script {
        Answer answer(Call call) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile Script script;

    FakeAgent(Script script) throws IOException {
        this.script = script;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void script(Script script) {
        this.script = script;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Call call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), System.nanoTime());
        calls.add(call);
        Answer answer;
        try {
            answer = script.answer(call);
        } catch (Exception e) {
            answer = new Answer(500, 0, "fake agent script failed: " + e);
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        if (answer.index() > 0) {
            exchange.getResponseHeaders().add("X-Consul-Index", Long.toString(answer.index()));
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // the client went away (a cancelled call): nothing to answer
        } finally {
            exchange.close();
        }
    }

    /** A KV answer for one key, as Consul writes it. */
    public static String kvBody(String key, String value, long modifyIndex) {
        return "[{\"Key\":\"" + key + "\",\"Value\":\""
                + java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                + "\",\"Flags\":0,\"CreateIndex\":1,\"ModifyIndex\":" + modifyIndex + ",\"LockIndex\":0}]";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
