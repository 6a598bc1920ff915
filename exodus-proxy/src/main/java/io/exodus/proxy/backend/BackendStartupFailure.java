package io.exodus.proxy.backend;

import io.exodus.proxy.wire.ErrorResponse;

/**
 * A backend connection that could not be opened. {@link #error()} is what the client is told: the backend's
 * own ErrorResponse when it sent one (wrong database, too many connections …), else one the proxy made.
 */
public final class BackendStartupFailure extends RuntimeException {
    private final ErrorResponse error;

    public BackendStartupFailure(ErrorResponse error, Throwable cause) {
        super(error.message(), cause, false, false);
        this.error = error;
    }

    public ErrorResponse error() {
        return error;
    }
}
