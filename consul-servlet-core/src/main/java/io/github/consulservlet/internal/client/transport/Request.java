package io.github.consulservlet.internal.client.transport;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.consulservlet.ConsistencyMode;

/**
 * One HTTP call to the agent, independent of which agent answers it. The path is built from
 * percent-encoded segments and the query from encoded pairs, so no argument can change the
 * endpoint a call reaches.
 */
public final class Request {
    final String method;
    final String path;
    private final List<String[]> query = new ArrayList<>();
    byte[] body;
    String contentType;
    /** The {@code Cache-Control} header of an agent-cached read, or null. */
    String cacheControl;
    /** The response timeout of a blocking query; null for an ordinary call. */
    public Duration responseTimeout;
    /** A watch's query or a recursive read: its answer may be as large as the watch limit. */
    boolean bulk;
    /** Set by the transport: whether one unreadable entry fails the whole answer (see {@link Response#badEntry}). */
    boolean strict;

    private Request(String method, String path) {
        this.method = method;
        this.path = path;
    }

    /**
     * A call to {@code base} (a fixed path such as {@code /v1/kv}) followed by {@code tail}, whose
     * segments are encoded one by one. A {@code null} tail adds nothing.
     */
    public static Request of(String method, String base, String tail) {
        return new Request(method, tail == null ? base : base + "/" + PercentEncoding.path(tail));
    }

    public static Request get(String base, String tail) {
        return of("GET", base, tail);
    }

    public static Request put(String base, String tail) {
        return of("PUT", base, tail);
    }

    /** Adds {@code name=value}; a {@code null} value adds a bare flag such as {@code ?recurse}. */
    public Request param(String name, String value) {
        query.add(new String[] {name, value});
        return this;
    }

    public Request flag(String name) {
        return param(name, null);
    }

    /** Marks a call whose answer may be as large as a watch's (see {@link BodyLimit}). */
    public Request bulk() {
        this.bulk = true;
        return this;
    }

    public Request paramIf(boolean condition, String name, String value) {
        return condition ? param(name, value) : this;
    }

    public Request consistency(ConsistencyMode mode) {
        return switch (mode) {
            case DEFAULT -> this;
            case CONSISTENT -> flag("consistent");
            case STALE -> flag("stale");
        };
    }

    /** Sends {@code Cache-Control: value}, the limits of an agent-cached read such as {@code max-age=30}. */
    public Request cacheControl(String value) {
        this.cacheControl = value;
        return this;
    }

    public Request json(String json) {
        this.body = json.getBytes(StandardCharsets.UTF_8);
        this.contentType = "application/json";
        return this;
    }

    public Request bytes(byte[] value) {
        this.body = value;
        this.contentType = "application/octet-stream";
        return this;
    }

    /** The path and query of this call: what identifies it, whichever agent answers. */
    public String target() {
        StringBuilder target = new StringBuilder(path);
        char separator = '?';
        for (String[] pair : query) {
            target.append(separator).append(PercentEncoding.component(pair[0]));
            if (pair[1] != null) {
                target.append('=').append(PercentEncoding.component(pair[1]));
            }
            separator = '&';
        }
        return target.toString();
    }

    /** The full address of this call at {@code agent} (a base URL without a trailing slash). */
    URI uriAt(URI agent) {
        return URI.create(agent + target());
    }

    /** {@code METHOD /path}: what a log line or an exception may say about this call. */
    @Override
    public String toString() {
        return method + " " + path;
    }
}
