package io.github.consulservlet;

/**
 * No answer came from any configured agent: the connection was refused or timed out, the
 * answer did not arrive in time, or the client was closed. {@link #status()} is 0.
 */
public final class ConsulUnreachableException extends ConsulException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was asked and of whom, and what went wrong
     * @param cause the underlying failure, or {@code null}
     */
    public ConsulUnreachableException(String message, Throwable cause) {
        super(0, "", message, cause);
    }
}
