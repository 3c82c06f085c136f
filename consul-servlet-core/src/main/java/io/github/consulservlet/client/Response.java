package io.github.consulservlet.client;

import java.nio.charset.StandardCharsets;

import io.github.consulservlet.ConsulException;

/** An agent's answer, read in full. */
final class Response {
    final Request request;
    final int status;
    final byte[] body;
    /** {@code X-Consul-Index}, 0 when absent, -1 when not a number of 0 or more. */
    final long index;

    Response(Request request, int status, byte[] body, long index) {
        this.request = request;
        this.status = status;
        this.body = body == null ? new byte[0] : body;
        this.index = index;
    }

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    boolean isNotFound() {
        return status == 404;
    }

    /** This answer, when it is a success; else the {@link ConsulException} that describes it. */
    Response requireSuccess() {
        if (status >= 200 && status < 300) {
            return this;
        }
        throw ConsulException.forStatus(status, text(), request.toString());
    }

    /** The {@code true} / {@code false} that KV writes and session destroys answer. */
    boolean bool() {
        return Boolean.parseBoolean(requireSuccess().text().strip());
    }
}
