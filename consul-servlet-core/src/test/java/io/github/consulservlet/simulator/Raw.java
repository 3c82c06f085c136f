package io.github.consulservlet.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Plain HTTP calls to a simulator, to check statuses, headers and bodies exactly as sent. */
final class Raw {
    /** An answer as it arrived. */
    record Reply(int status, byte[] bytes, HttpHeaders headers) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        JsonElement json() {
            return JsonParser.parseString(body());
        }

        JsonArray array() {
            return json().getAsJsonArray();
        }

        JsonObject object() {
            return json().getAsJsonObject();
        }

        /** The first entry of an array answer. */
        JsonObject first() {
            return array().get(0).getAsJsonObject();
        }

        long index() {
            return Long.parseLong(headers.firstValue("X-Consul-Index").orElseThrow());
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    Raw(ConsulSimulator simulator) {
        this(simulator.uri(), simulator.aclToken().orElse(null));
    }

    Raw(URI base, String token) {
        this.base = base.toString();
        this.token = token;
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply put(String path, String body) {
        return send("PUT", path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    Reply delete(String path) {
        return send("DELETE", path, null);
    }

    Reply send(String method, String path, byte[] body) {
        try {
            return async(method, path, body).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw e;
        }
    }

    CompletableFuture<Reply> async(String method, String path, byte[] body) {
        return http.sendAsync(request(method, path, body), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Reply(r.statusCode(), r.body(), r.headers()));
    }

    private HttpRequest request(String method, String path, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("X-Consul-Token", token);
        }
        return request.build();
    }
}
