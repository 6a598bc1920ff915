package io.exodus.proxy.shadow;

import java.time.Instant;

/**
 * One read whose two answers differed, as the status lists it.
 *
 * @param sourceRows     the rows the source answered (all result sets)
 * @param sourceSqlState the source's SQLSTATE when it failed, else null; likewise the target's
 */
public record ShadowMismatch(Instant at, String fingerprint, String kind, long sourceRows, long targetRows,
        String sourceSqlState, String targetSqlState) {
}
