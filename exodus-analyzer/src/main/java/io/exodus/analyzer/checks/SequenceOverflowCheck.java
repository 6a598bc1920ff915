package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile.Sequence;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.Comparator;
import java.util.List;

/**
 * A sequence close to its type's limit (or to the limit of the narrower column it feeds) stops inserts when it gets
 * there. The migration rebuilds the target's schema anyway, which makes it the cheapest moment to widen to bigint.
 */
final class SequenceOverflowCheck implements Check {
    static final double WARNING_SHARE = 0.5;
    static final double ACTION_SHARE = 0.8;

    @Override
    public String key() {
        return "sequence-overflow";
    }

    @Override
    public String title() {
        return "Sequences and identity columns far from their limit";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<Sequence> sequences = profile.source().sequences();
        List<Sequence> close = sequences.stream().filter(sequence -> sequence.usedShare() >= WARNING_SHARE)
                .sorted(Comparator.comparingDouble(Sequence::usedShare).reversed()).toList();
        if (close.isEmpty()) {
            return result(Verdict.PASS, Evidence.plural(sequences.size(), "sequence", "sequences") + ", none past "
                    + percent(WARNING_SHARE) + " of its limit", "None.");
        }
        Verdict verdict = close.get(0).usedShare() >= ACTION_SHARE ? Verdict.ACTION_REQUIRED : Verdict.WARNING;
        return result(verdict, Evidence.sample(close.stream().map(SequenceOverflowCheck::describe).toList()),
                "Widen them to bigint on the target before cutover (ALTER TABLE … ALTER COLUMN … TYPE bigint; "
                        + "ALTER SEQUENCE … AS bigint): the target is built anew, so no rewrite of the live source is "
                        + "needed. Sequences are set past the source's values at cutover.");
    }

    private static String describe(Sequence sequence) {
        String feeds = sequence.table() == null ? "" : ", feeds " + sequence.schema() + "." + sequence.table() + "."
                + sequence.column() + " " + sequence.columnType();
        return sequence.schema() + "." + sequence.name() + " (" + sequence.dataType() + feeds + "): "
                + sequence.lastValue() + " of " + sequence.limit() + " (" + percent(sequence.usedShare()) + ")";
    }

    private static String percent(double share) {
        return Math.round(share * 100) + " %";
    }
}
