package io.exodus.analyzer.shadow;

/**
 * One difference between the source and the target for one statement shape.
 *
 * @param query    the normalised text of the statement
 * @param source   what the source did (its rows, error, collation, plan or latency)
 * @param target   what the target did
 * @param evidence why this is a difference, and how often it was seen
 * @param origin   found by the replay, or by the proxy's live shadow reads
 */
public record Finding(FindingKind kind, String fingerprint, String query, String source, String target,
        String evidence, FindingOrigin origin) {

    /** A finding of the replay. */
    public Finding(FindingKind kind, String fingerprint, String query, String source, String target,
            String evidence) {
        this(kind, fingerprint, query, source, target, evidence, FindingOrigin.REPLAY);
    }
}
