package io.github.consulservlet.internal.client.transport;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.consulservlet.ConsulException;
import io.github.consulservlet.ConsulResponseException;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.LogText;
import io.github.consulservlet.internal.client.json.Json;
import io.github.consulservlet.spi.ExtensionLog;

/**
 * An agent's answer, read in full. A success is read by the shape its endpoint answers, the
 * same way for every endpoint: anything else (an empty body, HTML, {@code OK}) is a
 * {@link ConsulResponseException} naming the endpoint and quoting at most
 * {@value #QUOTED} characters of the body, never an empty result.
 */
public final class Response {
    private static final System.Logger LOG = ExtensionLog.logger(ConsulClient.class.getName());
    /** How much of a body an exception's message quotes. */
    static final int QUOTED = 512;
    private static final Pattern PARSER_POSITION = Pattern.compile("at line (\\d+) column (\\d+) path (\\S+)");

    public final Request request;
    public final int status;
    public final byte[] body;
    /** {@code X-Consul-Index}, 0 when absent, -1 when not a number of 0 or more. */
    public final long index;

    Response(Request request, int status, byte[] body, long index) {
        this.request = request;
        this.status = status;
        this.body = body == null ? new byte[0] : body;
        this.index = index;
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public boolean isNotFound() {
        return status == 404;
    }

    /** This answer, when it is a success; else the {@link ConsulException} that describes it. */
    public Response requireSuccess() {
        if (status >= 200 && status < 300) {
            return this;
        }
        throw ConsulException.forStatus(status, text(), request.toString());
    }

    /** The {@code true} / {@code false} that KV writes and session destroys answer; anything else is an error. */
    public boolean bool() {
        String answer = requireSuccess().text().strip();
        if (answer.equals("true") || answer.equals("false")) {
            return answer.equals("true");
        }
        throw malformed("true or false", null);
    }

    /**
     * A success with no body, as the agent's writes answer; a JSON object, array or null is taken
     * too (other Consul versions, and test doubles, answer {@code {}}), a page or {@code OK} is not.
     */
    public void requireEmpty() {
        if (requireSuccess().text().isBlank()) {
            return;
        }
        var json = Json.parse(this);
        if (!json.isJsonObject() && !json.isJsonArray() && !json.isJsonNull()) {
            throw malformed("an empty body", null);
        }
    }

    /** The error for a success whose body is not {@code expected}: the status, endpoint, body (capped) and cause. */
    public ConsulResponseException malformed(String expected, Throwable cause) {
        String text = text();
        String quoted = text.isBlank() ? "an empty body (an answer cut short?)" : "'" + quote(text) + "'";
        return new ConsulResponseException(status, request + " answered HTTP " + status + " with " + quoted
                + " where it answers " + expected + (cause == null ? "" : ": " + why(cause)), cause);
    }

    /**
     * What a parser said of the body, in a user's words. Gson's own advise its lenient mode, which
     * would not help here, and link its troubleshooting page: only the place where the body stops
     * being JSON tells the user anything.
     */
    static String why(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        Matcher at = PARSER_POSITION.matcher(message);
        if (at.find()) {
            return (root instanceof EOFException ? "it ends early" : "it stops being JSON") + " at line " + at.group(1)
                    + " column " + at.group(2) + " (" + at.group(3) + ")";
        }
        return message.lines().findFirst().orElse(message);
    }

    /**
     * One entry of this answer could not be read: the whole call fails when the client is strict,
     * else the caller leaves the entry out and a warning names the endpoint, the entry and why.
     */
    public void badEntry(String entry, RuntimeException cause) {
        String message = request + " answered HTTP " + status + " with an unreadable entry, " + entry + ": "
                + cause.getMessage();
        if (request.strict) {
            throw new ConsulResponseException(status, message, cause);
        }
        LOG.log(System.Logger.Level.WARNING, LogText.remote(message) + "; left out of the result"); // the entry is the agent's text
    }

    /** {@code text}, cut to {@value #QUOTED} characters with a note of its full length. */
    static String quote(String text) {
        String stripped = text.strip();
        return stripped.length() <= QUOTED ? stripped
                : stripped.substring(0, QUOTED) + "... (" + stripped.length() + " characters)";
    }
}
