package io.exodus.proxy.verify;

/** A verification that cannot start, with a message that says what to do. */
public final class VerificationRefused extends RuntimeException {
    public enum Reason {
        /** One is running on this proxy. */
        BUSY,
        /** There is no target to compare with. */
        NO_TARGET,
        /** A table asked for does not exist on the source. */
        UNKNOWN_TABLE,
        /** A database could not be reached. */
        UNREACHABLE,
        /** A repair was asked for with no verification to repair from. */
        NO_REPORT
    }

    private final Reason reason;

    public VerificationRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
