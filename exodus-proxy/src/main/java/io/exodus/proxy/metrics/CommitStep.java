package io.exodus.proxy.metrics;

import java.util.Locale;

/**
 * A step of the time a transaction that wrote on both databases keeps its rows locked on the primary: from the
 * primary's answer to its last write until the primary's COMMIT (or COMMIT PREPARED) has answered. The {@code step}
 * tag of {@code exodus.commit.steps}; what a hot row (a counter, a balance) waits through, one transaction after the
 * other (issue 15).
 */
public enum CommitStep {
    /**
     * From the primary's answer to the transaction's last write until the commit protocol begins: inside a client's
     * transaction, its statements after that write and its COMMIT; for an autocommit write that Exodus wrapped in a
     * transaction, the secondary's run of the statement.
     */
    AFTER_LAST_WRITE,
    /**
     * Reading the primary's transaction id (and read-only state) for the commit marker; for a transaction that commits
     * with its queue entry, reading the entry's settings and drawing its id.
     */
    PRIMARY_READ,
    /** The secondary's statements held back since the transaction began, its commit marker and its COMMIT. */
    SECONDARY_COMMIT,
    /** The primary's COMMIT, with its queue entry when it carries one. */
    PRIMARY_COMMIT,
    /** Two-phase-commit: both PREPARE TRANSACTIONs, the secondary's with its held-back statements. */
    PREPARE,
    /** Two-phase-commit: the primary's COMMIT PREPARED, which decides. */
    COMMIT_PREPARED,
    /** The whole: from the primary's answer to the last write until its COMMIT (or COMMIT PREPARED) answered. */
    HELD;

    public String tagValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
