package io.exodus.proxy.cutover;

/** A move of the primary that did not happen, and why; nothing was changed. */
public final class SwitchRefused extends RuntimeException {

    /** NOT_NOW: the migration is not ready for it (409); UNAVAILABLE: a database could not be asked (503). */
    public enum Reason {
        NOT_NOW,
        UNAVAILABLE
    }

    private final Reason reason;

    public SwitchRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
