package io.github.consulservlet.simulator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Runs HTTP checks as the agent does
 * (https://developer.hashicorp.com/consul/docs/services/usage/checks#http-checks): a 2xx status
 * is passing, 429 Too Many Requests is warning, anything else or no answer is critical, and the
 * output is the status line followed by the body, of which the agent keeps the last 4 KiB.
 *
 * <p>One known difference: Consul writes the reason phrase the server sent (Go's
 * {@code Response.Status}: {@code "200 "} for Tomcat, which sends none, so its output reads
 * {@code 200  Output: UP}); the JDK's client does not expose it, so the simulator writes the
 * standard phrase. Tests must not depend on the reason phrase.
 */
final class HttpProbe implements AutoCloseable {
    /**
     * How much of a check's output the agent keeps: {@code check_output_max_size}, 4096 by default
     * (https://developer.hashicorp.com/consul/docs/agent/config/config-files#check_output_max_size).
     */
    static final int OUTPUT_LIMIT = 4 * 1024;

    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(200, "OK"),
            Map.entry(201, "Created"), Map.entry(204, "No Content"), Map.entry(301, "Moved Permanently"),
            Map.entry(302, "Found"), Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"), Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

    /** What one probe found. */
    record Result(String status, String output) {
    }

    private final ExecutorService executor;
    /** Made on first use: each holds a selector thread, and most simulators never probe. */
    private HttpClient client;
    private HttpClient insecureClient;

    HttpProbe() {
        AtomicInteger count = new AtomicInteger();
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "consul-sim-probe-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private synchronized HttpClient client(boolean tlsSkipVerify) {
        if (tlsSkipVerify) {
            if (insecureClient == null) {
                insecureClient = builder().sslContext(trustingEveryone()).build();
            }
            return insecureClient;
        }
        if (client == null) {
            client = builder().build();
        }
        return client;
    }

    private HttpClient.Builder builder() {
        // Consul's check client follows redirects, as Go's http.Client does by default.
        return HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL);
    }

    CompletableFuture<Result> probe(String url, String method, Map<String, List<String>> header, String body,
            Duration timeout, boolean tlsSkipVerify) {
        String target = method + " " + url;
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .header("User-Agent", "Consul Health Check")
                    .header("Accept", "text/plain, text/*, */*");
            header.forEach((name, values) -> values.forEach(v -> request.header(name, v)));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Result("critical", "HTTP " + target + ": " + e.getMessage()));
        }
        return client(tlsSkipVerify)
                .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                        return new Result("critical", "HTTP " + target + ": " + cause);
                    }
                    int code = response.statusCode();
                    byte[] bytes = response.body();
                    int from = Math.max(0, bytes.length - OUTPUT_LIMIT);
                    String output = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
                    String line = "HTTP " + target + ": " + code + " " + REASONS.getOrDefault(code, "")
                            + " Output: " + output;
                    String status = code >= 200 && code <= 299 ? "passing" : code == 429 ? "warning" : "critical";
                    return new Result(status, line);
                });
    }

    /**
     * https://developer.hashicorp.com/consul/docs/services/usage/checks#tcp-checks: passing when a
     * connection opens within the timeout, with the agent's output (agent/checks/check.go).
     */
    CompletableFuture<Result> tcp(String hostAndPort, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            int colon = hostAndPort.lastIndexOf(':');
            String host = hostAndPort.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(hostAndPort.substring(colon + 1));
            try (Socket socket = new Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
                return new Result("passing", "TCP connect " + hostAndPort + ": Success");
            } catch (java.io.IOException e) {
                return new Result("critical", "dial tcp " + hostAndPort + ": connect: " + e.getMessage());
            }
        }, executor);
    }

    private static SSLContext trustingEveryone() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // Extended, so that the JDK does not add its own host name check on top.
            context.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
