package io.exodus.proxy.consistency;

import io.exodus.proxy.migration.ConsistencyPolicy;

import java.time.Instant;

/**
 * A statement or transaction whose effect on the secondary differs from its effect on the primary, or that the
 * secondary never received.
 *
 * @param fingerprint the statement, squeezed and cut, as a user recognises it in a log
 * @param primary     what the primary answered (command tags or error)
 * @param secondary   what the secondary answered, or why it did not
 */
public record Divergence(Instant at, Kind kind, ConsistencyPolicy policy, String fingerprint, String primary,
        String secondary) {

    public enum Kind {
        /** The secondary reported an error where the primary succeeded. */
        SECONDARY_ERROR("secondary_error"),
        /** Both succeeded with different row counts. */
        ROW_COUNT("row_count"),
        /** The secondary's connection was lost while it applied the statement. */
        SECONDARY_LOST("secondary_lost"),
        /** The secondary was unavailable (or the session pinned to the primary): the write ran on the primary only. */
        NOT_MIRRORED("not_mirrored"),
        /** The secondary's COMMIT failed after the primary's succeeded (or the other way round). */
        COMMIT_FAILED("commit_failed");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }
}
