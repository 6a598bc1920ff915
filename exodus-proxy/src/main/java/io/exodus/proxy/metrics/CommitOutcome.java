package io.exodus.proxy.metrics;

import java.util.Locale;

/** How the commit of a transaction that wrote on both databases ended for the client; the {@code outcome} tag. */
public enum CommitOutcome {
    /** The client was told COMMIT succeeded (a secondary that fails afterwards is a divergence, not this). */
    COMMITTED,
    /** The client got an error and the transaction is rolled back on both databases: nothing committed anywhere. */
    ROLLED_BACK,
    /**
     * The client got an error and nobody can tell yet whether the transaction committed: a connection was lost
     * during the deciding COMMIT or COMMIT PREPARED (under two-phase commit, the recovery finishes it).
     */
    FAILED;

    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
