package io.exodus.proxy.sync;

/** The names of what the sync makes on the source; fixed, so that a later sync finds a crashed one's leftovers. */
final class SyncNames {
    static final String SLOT = "exodus_sync";
    /** Tables whose updates and deletes can be streamed. */
    static final String PUBLICATION = "exodus_sync";
    /** Tables without a key, streamed for inserts and truncates only ({@link TablesWithoutKey#INSERT_ONLY}). */
    static final String INSERT_ONLY_PUBLICATION = "exodus_sync_insert_only";

    private SyncNames() {
    }
}
