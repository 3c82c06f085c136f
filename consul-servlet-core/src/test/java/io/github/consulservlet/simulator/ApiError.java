package io.github.consulservlet.simulator;

/** An answer other than success, with the status and message a real agent gives for the same cause. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
