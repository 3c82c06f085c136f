package io.github.consulservlet;

/**
 * A Consul call that did not succeed. Subclasses say why; every one carries the HTTP status
 * Consul answered (0 when no answer arrived) and Consul's own message, which is the response
 * body as the agent wrote it.
 *
 * <p>The ACL token is never part of a message: it travels only in a request header.
 */
public class ConsulException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String consulMessage;

    /**
     * @param status the HTTP status Consul answered, 0 when there was no answer
     * @param consulMessage Consul's message (the response body), empty when there was none
     * @param message the full description of the failure
     * @param cause the underlying failure, or {@code null}
     */
    protected ConsulException(int status, String consulMessage, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.consulMessage = consulMessage == null ? "" : consulMessage;
    }

    /** The HTTP status Consul answered, or 0 when no answer arrived. */
    public int status() {
        return status;
    }

    /** Consul's message (the response body, trimmed), or the empty string. */
    public String consulMessage() {
        return consulMessage;
    }

    /**
     * The exception that fits an unsuccessful answer.
     *
     * @param status the HTTP status, 400 or more
     * @param consulMessage the response body
     * @param request what was asked, as {@code METHOD /path}, for the message
     */
    public static ConsulException forStatus(int status, String consulMessage, String request) {
        String body = consulMessage == null ? "" : consulMessage.strip();
        // the message quotes at most 512 characters: an error page may be megabytes
        String quoted = body.length() <= 512 ? body : body.substring(0, 512) + "... (" + body.length() + " characters)";
        String message = request + " failed: HTTP " + status + (body.isEmpty() ? "" : ": " + quoted);
        if (status == 403) {
            return new ConsulPermissionException(status, body, message);
        }
        if (status == 404) {
            return new ConsulNotFoundException(status, body, message);
        }
        if (status >= 500) {
            return new ConsulServerException(status, body, message);
        }
        return new ConsulRequestException(status, body, message);
    }
}
