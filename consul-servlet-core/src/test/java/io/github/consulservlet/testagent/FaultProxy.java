package io.github.consulservlet.testagent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fault-injecting HTTP/1.1 proxy on 127.0.0.1 and a free port in front of an agent (the real
 * one or the simulator): each request matching a {@link #fault fault}'s method and path prefix is
 * answered late, answered 500 by the proxy itself, or has its connection reset (closed with
 * SO_LINGER 0, no answer); the others are forwarded. It counts the requests it saw, per matching
 * method and path prefix, and per second, for tests of how hard a client presses a failing agent.
 */
public final class FaultProxy implements AutoCloseable {
    /** What the proxy does to a matching request. */
    public sealed interface Fault {
        /** Forwards it, then holds the answer back for {@code delay}. */
        record Delay(Duration delay) implements Fault {
        }

        /** Answers 500 with {@code body} without forwarding. */
        record ServerError(String body) implements Fault {
        }

        /** Closes the connection with a TCP reset, without answering. */
        record Reset() implements Fault {
        }
    }

    private record Rule(String method, String pathPrefix, Fault fault) {
        boolean matches(String method, String path) {
            return (this.method == null || this.method.equals(method)) && path.startsWith(pathPrefix);
        }
    }

    private record Seen(long atNanos, String method, String path) {
    }

    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "http2-settings");

    private final URI target;
    private final ServerSocket server;
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Rule> rules = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Seen> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);

    /** A proxy forwarding to the agent at {@code target} ({@code http://host:port}). */
    public FaultProxy(URI target) {
        this.target = target;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        connections.execute(this::accept);
    }

    /** {@code 127.0.0.1:port}, as {@code consul.agent} takes it. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** From now on, does {@code fault} to requests with {@code method} (null: any) and a path starting with {@code pathPrefix}. */
    public FaultProxy fault(String method, String pathPrefix, Fault fault) {
        rules.add(0, new Rule(method, pathPrefix, fault));
        return this;
    }

    /** Forwards every request again; open delayed answers still complete. */
    public void heal() {
        rules.clear();
    }

    /** How many requests with {@code method} and a path starting with {@code pathPrefix} the proxy saw. */
    public int count(String method, String pathPrefix) {
        return (int) seen.stream().filter(s -> s.method.equals(method) && s.path.startsWith(pathPrefix)).count();
    }

    /** Those requests per whole second since the first of them: the rate a client pressed the agent at. */
    public Map<Long, Integer> perSecond(String method, String pathPrefix) {
        List<Seen> matching = seen.stream().filter(s -> s.method.equals(method) && s.path.startsWith(pathPrefix)).toList();
        Map<Long, Integer> seconds = new ConcurrentSkipListMap<>();
        if (!matching.isEmpty()) {
            long first = matching.get(0).atNanos;
            matching.forEach(s -> seconds.merge(TimeUnit.NANOSECONDS.toSeconds(s.atNanos - first), 1, Integer::sum));
        }
        return seconds;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                connections.execute(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (true) {
                Request request = Request.read(in);
                if (request == null) {
                    return;
                }
                seen.add(new Seen(System.nanoTime(), request.method, request.path()));
                Fault fault = rules.stream().filter(r -> r.matches(request.method, request.path()))
                        .map(Rule::fault).findFirst().orElse(null);
                if (fault instanceof Fault.Reset) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                Answer answer = fault instanceof Fault.ServerError error
                        ? new Answer(500, Map.of("Content-Type", List.of("text/plain")), error.body().getBytes(StandardCharsets.UTF_8))
                        : forward(request);
                if (fault instanceof Fault.Delay delay && closed.await(delay.delay().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                answer.write(out);
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the proxy closed
        } finally {
            open.remove(socket);
        }
    }

    private Answer forward(Request request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target.resolve(request.uri))
                .method(request.method, HttpRequest.BodyPublishers.ofByteArray(request.body));
        for (Map.Entry<String, String> header : request.headerList) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                builder.header(header.getKey(), header.getValue());
            }
        }
        HttpResponse<byte[]> response = forward.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.headers().map(), response.body());
    }

    /** Stops accepting and cuts every open connection, delayed answers included. */
    @Override
    public void close() {
        closed.countDown();
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
        connections.shutdownNow();
    }

    private record Request(String method, String uri, List<Map.Entry<String, String>> headerList, byte[] body) {
        String path() {
            int query = uri.indexOf('?');
            return query < 0 ? uri : uri.substring(0, query);
        }

        /** The next request on the connection, or null at its end. */
        static Request read(InputStream in) throws IOException {
            String line = line(in);
            while (line != null && line.isEmpty()) {
                line = line(in);
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            long length = 0;
            boolean chunked = false;
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).strip();
                String value = header.substring(colon + 1).strip();
                headers.add(Map.entry(name, value));
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            byte[] body = chunked ? chunks(in) : in.readNBytes((int) length);
            return new Request(parts[0], parts[1], headers, body);
        }

        private static byte[] chunks(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (String size = line(in); size != null; size = line(in)) {
                int length = Integer.parseInt(size.split(";")[0].strip(), 16);
                if (length == 0) {
                    for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                        // trailers are dropped
                    }
                    break;
                }
                body.write(in.readNBytes(length));
                line(in);
            }
            return body.toByteArray();
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r') {
                    line.write(b);
                }
            }
            return b == -1 && line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        void write(OutputStream out) throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(status < 400 ? "OK" : "Error").append("\r\n");
            headers.forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    values.forEach(value -> head.append(name).append(": ").append(value).append("\r\n"));
                }
            });
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }
    }
}
