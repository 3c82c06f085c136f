package io.github.consulservlet;

/** Consul refused the call: the ACL token (header {@code X-Consul-Token}) is missing or lacks the permission (HTTP 403). */
public final class ConsulPermissionException extends ConsulException {
    private static final long serialVersionUID = 1L;

    ConsulPermissionException(int status, String consulMessage, String message) {
        super(status, consulMessage, message, null);
    }
}
