package io.exodus.analyzer.shadow;

import java.util.List;

/**
 * A difference between the source's and the target's answer to one replayed execution, before it is told in a
 * {@link Finding}.
 *
 * @param collatedColumns for {@link FindingKind#COLLATION}: the text columns whose values stand in another order
 */
public record Difference(FindingKind kind, String source, String target, String evidence,
        List<String> collatedColumns) {

    static Difference of(FindingKind kind, String source, String target, String evidence) {
        return new Difference(kind, source, target, evidence, List.of());
    }
}
