package io.github.consulservlet.internal.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An "agent" on 127.0.0.1 and a free port that answers on the raw socket, so that it can do what
 * no HTTP server library lets it: cut the headers, lie about the length, trickle, never end.
 * Each request path is served by its {@link Reply}; the others get a 404. Every connection is
 * closed when the agent is, so no reply outlives its test.
 */
final class HostileAgent implements AutoCloseable {
    /** Writes the whole answer, status line included, to the connection. */
    @FunctionalInterface
    interface Reply {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "hostile-agent-pace");
        thread.setDaemon(true);
        return thread;
    });
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-agent");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    /** Body bytes written by the endless and trickling replies, all connections together. */
    final AtomicLong written = new AtomicLong();
    private volatile boolean closed;

    HostileAgent() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Serves {@code path} (without the query) with {@code reply}. */
    HostileAgent on(String path, Reply reply) {
        replies.put(path, reply);
        return this;
    }

    private void accept() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.add(socket);
            try {
                threads.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) { // closed while this one was accepted
                connections.remove(socket);
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing was sent on it
                }
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (!closed) {
                String head = head(in);
                if (head == null) {
                    return;
                }
                skipBody(in, head);
                String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                Reply reply = replies.getOrDefault(path, o -> o.write(answer(404, "", "")));
                reply.write(out);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test ended: nothing more to answer
        } finally {
            connections.remove(socket);
        }
    }

    /** The request line and headers, or null at the end of the connection. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void skipBody(InputStream in, String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                in.readNBytes(Integer.parseInt(line.substring(15).strip()));
            }
        }
    }

    /** A whole answer with a Content-Length, and {@code X-Consul-Index} when {@code index} is not empty. */
    static byte[] answer(int status, String index, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (head(status, index) + "Content-Length: " + bytes.length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    static String head(int status, String index) {
        return "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\n"
                + (index.isEmpty() ? "" : "X-Consul-Index: " + index + "\r\n");
    }

    /** A reply of {@link #answer}. */
    static Reply fixed(int status, String index, String body) {
        byte[] bytes = answer(status, index, body);
        return out -> out.write(bytes);
    }

    /** A chunked body that never ends: {@code [} then spaces, 64 KiB a chunk, until the client goes. */
    Reply endless() {
        return out -> {
            out.write((head(200, "7") + "Transfer-Encoding: chunked\r\n\r\n3\r\n[  \r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[65536];
            java.util.Arrays.fill(chunk, (byte) ' ');
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            while (!closed) {
                out.write(size);
                out.write(chunk);
                out.write('\r');
                out.write('\n');
                written.addAndGet(chunk.length);
            }
        };
    }

    /** {@code bytes} sent one at a time, {@code pauseMillis} apart, for as long as the client reads. */
    Reply trickle(byte[] bytes, long pauseMillis) {
        return out -> {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            AtomicInteger next = new AtomicInteger();
            ScheduledFuture<?> ticks = pace.scheduleAtFixedRate(() -> {
                int at = next.getAndIncrement();
                if (closed || at >= bytes.length) {
                    sent.complete(null);
                    return;
                }
                try {
                    out.write(bytes[at]);
                    out.flush();
                    written.incrementAndGet();
                } catch (IOException e) {
                    sent.completeExceptionally(e); // the client went
                }
            }, 0, pauseMillis, TimeUnit.MILLISECONDS);
            try {
                sent.join();
            } catch (CompletionException e) {
                throw (IOException) e.getCause();
            } finally {
                ticks.cancel(false);
            }
        };
    }

    /** Writes {@code bytes} and closes the connection. */
    static Reply cut(String bytes) {
        byte[] raw = bytes.getBytes(StandardCharsets.UTF_8);
        return out -> {
            out.write(raw);
            out.flush();
            throw new IOException("cut"); // ends serve(), which closes the socket
        };
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : connections) {
            socket.close();
        }
        threads.shutdownNow();
        pace.shutdownNow();
    }
}
