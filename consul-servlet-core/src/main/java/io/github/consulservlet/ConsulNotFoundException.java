package io.github.consulservlet;

/** What the call names does not exist in Consul (HTTP 404), where absence is not an ordinary answer. */
public final class ConsulNotFoundException extends ConsulException {
    private static final long serialVersionUID = 1L;

    ConsulNotFoundException(int status, String consulMessage, String message) {
        super(status, consulMessage, message, null);
    }
}
