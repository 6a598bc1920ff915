package io.exodus.proxy.verify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rows of a key range (or the rows of some keys) read on both databases, matched by primary key. */
final class RowComparison {
    private RowComparison() {
    }

    /** @param keyColumns the primary key's column names, in key order */
    static List<RowDifference> differences(List<String> keyColumns, Collection<HashedRow> source,
            Collection<HashedRow> target) {
        Map<List<String>, HashedRow> onTarget = new LinkedHashMap<>();
        for (HashedRow row : target) {
            onTarget.put(row.key(), row);
        }
        List<RowDifference> differences = new ArrayList<>();
        for (HashedRow row : source) {
            HashedRow other = onTarget.remove(row.key());
            if (other == null) {
                differences.add(RowDifference.keyed(RowDifference.Kind.MISSING, named(keyColumns, row.key()),
                        row.text(), null));
            } else if (!other.md5().equals(row.md5())) {
                differences.add(RowDifference.keyed(RowDifference.Kind.DIFFERENT, named(keyColumns, row.key()),
                        row.text(), other.text()));
            }
        }
        for (HashedRow extra : onTarget.values()) {
            differences.add(RowDifference.keyed(RowDifference.Kind.EXTRA, named(keyColumns, extra.key()), null,
                    extra.text()));
        }
        return differences;
    }

    static Map<String, String> named(List<String> keyColumns, List<String> values) {
        Map<String, String> key = new LinkedHashMap<>();
        for (int i = 0; i < keyColumns.size(); i++) {
            key.put(keyColumns.get(i), values.get(i));
        }
        return key;
    }
}
