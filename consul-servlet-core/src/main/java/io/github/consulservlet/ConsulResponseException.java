package io.github.consulservlet;

/**
 * An agent answered, but not with something usable: the answer was cut short, larger than the
 * client's limit, not the shape the endpoint answers (HTML from a proxy, {@code OK}, JSON of
 * another form), or one of its fields could not be read. Carries the HTTP status of the answer
 * (0 when the status line itself never arrived whole); the message names the endpoint, and the
 * key or session when one entry is at fault.
 */
public final class ConsulResponseException extends ConsulException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the HTTP status of the answer, 0 when none was read
     * @param message what was asked, and what was wrong with the answer
     * @param cause the underlying failure, or {@code null}
     */
    public ConsulResponseException(int status, String message, Throwable cause) {
        super(status, "", message, cause);
    }
}
