package io.exodus.proxy.verify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of a table without a primary key, compared as multisets: equal rows cannot be told apart, so a row held twice
 * on one side and once on the other is one row missing (or extra), whatever order either side stores them in.
 */
final class MultisetComparison {
    private MultisetComparison() {
    }

    static List<RowDifference> differences(Collection<CountedRow> source, Collection<CountedRow> target) {
        Map<String, CountedRow> onTarget = new LinkedHashMap<>();
        for (CountedRow row : target) {
            onTarget.put(row.md5(), row);
        }
        List<RowDifference> differences = new ArrayList<>();
        for (CountedRow row : source) {
            CountedRow other = onTarget.remove(row.md5());
            long targetCopies = other == null ? 0 : other.copies();
            if (row.copies() != targetCopies) {
                differences.add(difference(row.md5(), row.copies(), targetCopies, row.text()));
            }
        }
        for (CountedRow extra : onTarget.values()) {
            if (extra.copies() != 0) {
                differences.add(difference(extra.md5(), 0, extra.copies(), extra.text()));
            }
        }
        return differences;
    }

    private static RowDifference difference(String md5, long sourceCopies, long targetCopies, String text) {
        RowDifference.Kind kind = sourceCopies > targetCopies ? RowDifference.Kind.MISSING : RowDifference.Kind.EXTRA;
        return new RowDifference(kind, null, md5, sourceCopies, targetCopies,
                kind == RowDifference.Kind.MISSING ? text : null, kind == RowDifference.Kind.EXTRA ? text : null);
    }
}
