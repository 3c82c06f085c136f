package io.github.consulservlet;

/** Consul refused the call as malformed or not allowed (an HTTP 4xx other than 403 and 404). */
public final class ConsulRequestException extends ConsulException {
    private static final long serialVersionUID = 1L;

    ConsulRequestException(int status, String consulMessage, String message) {
        super(status, consulMessage, message, null);
    }
}
