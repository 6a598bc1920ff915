package io.exodus.analyzer.shadow;

/**
 * One difference between the source and the target for one statement shape.
 *
 * @param query    the normalised text of the statement
 * @param source   what the source did (its rows, error, collation, plan or latency)
 * @param target   what the target did
 * @param evidence why this is a difference, and how often it was seen
 */
public record Finding(FindingKind kind, String fingerprint, String query, String source, String target,
        String evidence) {
}
