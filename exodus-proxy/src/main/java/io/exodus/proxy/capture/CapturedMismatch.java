package io.exodus.proxy.capture;

import java.time.Instant;

/**
 * A live shadow read whose answers differed, as the shadow strategy hands it to capture: the raw text, normalised on
 * the sender's thread into an {@link io.exodus.capture.ShadowMismatchEvent}.
 *
 * @param text the read's text as the client sent it (a Query's, or the prepared statement's)
 * @param kind {@code row-count}, {@code rows}, {@code order} or {@code error}
 */
record CapturedMismatch(Instant at, String text, String kind, long sourceRows, long targetRows,
        String sourceSqlState, String targetSqlState) implements CaptureItem {
}
