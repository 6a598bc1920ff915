package io.exodus.proxy.shadow;

/** How the secondary's answer to a shadow read differed from the primary's. */
public enum MismatchKind {
    /** Not as many rows. */
    ROW_COUNT("row-count"),
    /** As many rows, not the same ones (compared without regard to order). */
    ROWS("rows"),
    /** The same rows in another order, where the statement orders them (a top-level ORDER BY). */
    ORDER("order"),
    /** One side failed, or both with different SQLSTATEs, or the secondary did not answer within the timeout. */
    ERROR("error");

    private final String tag;

    MismatchKind(String tag) {
        this.tag = tag;
    }

    /** As the status, the log and the meters name it. */
    public String tag() {
        return tag;
    }
}
