package io.github.consulservlet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A server whose cost is close to nothing, in a JVM of its own: it answers each path with the
 * body and {@code X-Consul-*} headers recorded from the real agent, whatever the query, so that
 * what {@link CallCost} measures is the client alone. Prints {@code PORT <n>} once it listens on
 * 127.0.0.1.
 *
 * <p>Argument: the directory of the recording, whose {@value #ROUTES} file has, per answer, a
 * {@code PATH <path>} line, {@code HEADER <name>: <value>} lines and a {@code BODY <file>} line.
 */
public final class StaticAgent {
    static final String ROUTES = "routes.txt";

    private record Answer(List<String[]> headers, byte[] body) {
    }

    private StaticAgent() {
    }

    public static void main(String[] args) throws IOException {
        Path recording = Path.of(args[0]);
        Map<String, Answer> answers = read(recording);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", exchange -> answer(exchange, answers));
        server.start();
        System.out.println("PORT " + server.getAddress().getPort());
        System.out.flush();
    }

    private static void answer(HttpExchange exchange, Map<String, Answer> answers) throws IOException {
        try (InputStream request = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
            request.readAllBytes();
            Answer answer = answers.get(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            if (answer == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            for (String[] header : answer.headers()) {
                exchange.getResponseHeaders().add(header[0], header[1]);
            }
            exchange.sendResponseHeaders(200, answer.body().length);
            out.write(answer.body());
        }
    }

    private static Map<String, Answer> read(Path recording) throws IOException {
        Map<String, Answer> answers = new HashMap<>();
        String path = null;
        List<String[]> headers = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(recording.resolve(ROUTES))) {
            if (line.startsWith("PATH ")) {
                path = line.substring(5);
                headers = new java.util.ArrayList<>();
            } else if (line.startsWith("HEADER ")) {
                int colon = line.indexOf(": ");
                headers.add(new String[] {line.substring(7, colon), line.substring(colon + 2)});
            } else if (line.startsWith("BODY ")) {
                answers.put(path, new Answer(headers, Files.readAllBytes(recording.resolve(line.substring(5)))));
            }
        }
        return answers;
    }
}
