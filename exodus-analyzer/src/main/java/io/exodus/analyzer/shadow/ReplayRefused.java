package io.exodus.analyzer.shadow;

/**
 * A replay that cannot start; the message says what to do.
 *
 * @see #error() the stable word the REST answer carries
 */
public final class ReplayRefused extends RuntimeException {
    /** No source or no target configured. */
    public static final int UNAVAILABLE = 503;
    /** Another replay is running. */
    public static final int CONFLICT = 409;
    /** The request asks for what cannot be done. */
    public static final int BAD_REQUEST = 400;

    private final int status;
    private final String error;

    ReplayRefused(int status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    /** {@code shadow-unavailable}, {@code replay-running} or {@code malformed-request}. */
    public String error() {
        return error;
    }
}
