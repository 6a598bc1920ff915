package io.exodus.proxy.sync;

/**
 * The stretches of a sync's wall time, by the names the status's {@code timings} and the log show
 * (docs/initial-sync.md). Not the {@link SyncState}s: a state is what a person watches, a step is where the time
 * went: the state copying-schema spans the slot and pre-data, copying spans the rows and post-data.
 */
enum SyncStep {
    /** From the start: the journal and the slot looked up, the tables listed, the capability checks. */
    CHECKS("checks"),
    /**
     * What is left of pg_dump of the source's schema once the checks passed (it runs during them), and the comparison
     * with a target that has some of the tables.
     */
    SCHEMA_DUMP("schema-dump"),
    /** Leftovers dropped, the publications and the slot made, the journal begun. */
    SLOT("slot"),
    PRE_DATA("pre-data"),
    /** Every table's COPY; each table's own time is in its entry of {@code tables}. */
    ROWS("rows"),
    /** Indexes, constraints and triggers (without a resumed sync's foreign keys). */
    POST_DATA("post-data"),
    /** The slot's changes applied until close behind; again after a switch attempt that timed out. */
    CATCH_UP("catch-up"),
    /** A resumed sync's foreign keys, after the target was brought to one moment of the source. */
    FOREIGN_KEYS("foreign-keys"),
    /** The pause, the last changes, the sequences, the journaled mark and the phase change. */
    SWITCH("switch"),
    /** The slot and the publications dropped, the journal cleared. */
    CLEANUP("cleanup");

    private final String apiName;

    SyncStep(String apiName) {
        this.apiName = apiName;
    }

    String apiName() {
        return apiName;
    }
}
