package io.exodus.capture;

import java.time.Instant;
import java.util.Set;

/**
 * A live read the proxy's shadow strategy ran on both databases whose answers differed (docs/strategies.md, shadow
 * reads), as capture ships it to the analyzer beside the statement events ({@link CaptureBatch#shadowMismatches()}).
 * Fields may be added, never renamed.
 *
 * @param at             when the proxy compared the two answers (UTC)
 * @param text           the read's normalised text ({@link SqlNormalizer}): literals never leave the proxy
 * @param fingerprint    {@link SqlNormalizer#fingerprint} of the text
 * @param kind           {@code row-count}, {@code rows}, {@code order} or {@code error}
 * @param sourceRows     the rows the source answered (all result sets)
 * @param targetRows     the rows the target answered
 * @param sourceSqlstate the source's SQLSTATE when it failed, else absent; likewise the target's
 */
public record ShadowMismatchEvent(Instant at, String text, String fingerprint, String kind, Long sourceRows,
        Long targetRows, String sourceSqlstate, String targetSqlstate) {

    public static final Set<String> KINDS = Set.of("row-count", "rows", "order", "error");

    public ShadowMismatchEvent {
        if (at == null || text == null || text.isBlank() || fingerprint == null || kind == null) {
            throw new IllegalArgumentException("at, text, fingerprint and kind are required");
        }
        if (!NormalizedStatement.isFingerprint(fingerprint)) {
            throw new IllegalArgumentException("fingerprint must be 16 lower-case hex digits, not '" + fingerprint + "'");
        }
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind must be one of " + KINDS + ", not '" + kind + "'");
        }
    }
}
