package io.github.consulservlet;

/** Consul failed to serve the call (HTTP 5xx): no leader, a server error, or an overloaded agent. Retrying later may succeed. */
public final class ConsulServerException extends ConsulException {
    private static final long serialVersionUID = 1L;

    ConsulServerException(int status, String consulMessage, String message) {
        super(status, consulMessage, message, null);
    }
}
