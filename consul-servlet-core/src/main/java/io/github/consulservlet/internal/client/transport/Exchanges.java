package io.github.consulservlet.internal.client.transport;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

import io.github.consulservlet.ConsulResponseException;

/**
 * Turns a {@link Request} into HttpClient's request for one agent (the token in the
 * {@code X-Consul-Token} header only, the body, the timeouts), and HttpClient's answer into a
 * {@link Response}: the body read within its {@link BodyLimit}, the {@code X-Consul-Index}, and
 * an answer cut short after its status line as a {@link ConsulResponseException} with that
 * status. {@link Transport} uses it for each attempt; {@link BoundedResponseConsumer} reads the
 * asynchronous answers with its rules.
 */
final class Exchanges {
    private static final String TOKEN_HEADER = "X-Consul-Token";

    private final String token;
    private final long maxResponseBytes;
    private final long maxBulkResponseBytes;
    private final BooleanSupplier closed;

    Exchanges(String token, long maxResponseBytes, long maxBulkResponseBytes, BooleanSupplier closed) {
        this.token = token;
        this.maxResponseBytes = maxResponseBytes;
        this.maxBulkResponseBytes = maxBulkResponseBytes;
        this.closed = closed;
    }

    /** {@code request} to {@code agent} for the classic client. */
    HttpUriRequestBase classic(Request request, URI agent, Duration timeout) {
        HttpUriRequestBase exchange = withHeaders(new HttpUriRequestBase(request.method, request.uriAt(agent)), request);
        exchange.setConfig(config(timeout));
        if (request.body != null) {
            exchange.setEntity(new ByteArrayEntity(request.body, ContentType.parse(request.contentType)));
        }
        return exchange;
    }

    /** {@code request} to {@code agent} for the asynchronous client. */
    SimpleHttpRequest async(Request request, URI agent, Duration timeout) {
        SimpleHttpRequest http = withHeaders(SimpleHttpRequest.create(request.method, request.uriAt(agent)), request);
        http.setConfig(config(timeout));
        if (request.body != null) {
            http.setBody(request.body, ContentType.parse(request.contentType));
        }
        return http;
    }

    /** The response timeout bounds the wait for a pooled connection too. */
    private static RequestConfig config(Duration timeout) {
        return RequestConfig.custom()
                .setResponseTimeout(Timeout.of(timeout))
                .setConnectionRequestTimeout(Timeout.of(timeout))
                .build();
    }

    private <T extends HttpRequest> T withHeaders(T http, Request request) {
        if (token != null) {
            http.setHeader(TOKEN_HEADER, token);
        }
        if (request.cacheControl != null) {
            http.setHeader("Cache-Control", request.cacheControl);
        }
        return http;
    }

    /** How much of an answer to {@code request} is read: more for watches and recursive reads. */
    BodyLimit limit(Request request) {
        return request.bulk || request.responseTimeout != null
                ? new BodyLimit(request, maxBulkResponseBytes, BodyLimit.BULK_SETTING)
                : new BodyLimit(request, maxResponseBytes, BodyLimit.SETTING);
    }

    /**
     * Reads an answer of the classic client within its limit. A body cut short (or over the
     * limit) closes the connection rather than draining it, and is this answer's own failure,
     * with its status; a read that fails because the call was closed, interrupted or past its
     * deadline is left for {@link Transport#call} to report as such.
     */
    Response read(Request request, ClassicHttpResponse answer, HttpUriRequestBase exchange, AtomicBoolean expired)
            throws IOException {
        int status = answer.getCode();
        long index = index(answer.getFirstHeader("X-Consul-Index"));
        HttpEntity entity = answer.getEntity();
        try {
            // not closed on failure: closing drains what is left, which may never end
            byte[] body = entity == null ? new byte[0]
                    : limit(request).read(entity.getContent(), entity.getContentLength(), status);
            if (body.length == 0 && delimitedByClose(answer)) {
                throw cutShort(request, status, null);
            }
            return new Response(request, status, body, index);
        } catch (IOException | RuntimeException e) {
            exchange.cancel();
            if (closed.getAsBoolean() || expired.get() || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            throw e instanceof ConsulResponseException answered ? answered : cutShort(request, status, e);
        }
    }

    /**
     * True for an answer that gives neither its length nor chunks, so that only the connection's
     * close ends it: an agent (Go's HTTP server) always gives one or the other, so such an answer
     * with nothing before the close is headers cut short, not an empty success.
     */
    static boolean delimitedByClose(HttpResponse answer) {
        int status = answer.getCode();
        return status != 204 && status != 304 && !answer.containsHeader("Content-Length")
                && !answer.containsHeader("Transfer-Encoding");
    }

    static ConsulResponseException cutShort(Request request, int status, Throwable error) {
        return new ConsulResponseException(status, request + " answered HTTP " + status + " but the answer was cut"
                + " short" + (error == null ? " (no length, no chunks, nothing before the connection closed)"
                : ": " + error), error);
    }

    /** {@code X-Consul-Index}: 0 when absent, -1 when not a number of 0 or more (see {@link Response#index}). */
    static long index(Header header) {
        if (header == null) {
            return 0;
        }
        try {
            long index = Long.parseLong(header.getValue().strip());
            return index < 0 ? -1 : index;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
