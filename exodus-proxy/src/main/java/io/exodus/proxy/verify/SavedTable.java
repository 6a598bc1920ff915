package io.exodus.proxy.verify;

import java.util.List;

/**
 * A table's verification as an interrupted run left it ({@code exodus.verification_progress}): done, or running with
 * every range below {@code resumeFrom} finished, and what those ranges found.
 *
 * @param resumeFrom the lower bound of the first range not finished; null when done, or when no range finished
 */
record SavedTable(boolean done, List<String> resumeFrom, String startedAt, Long sourceRows, Long targetRows,
        long rowsChecked, long missing, long extra, long different, long settled, List<RowDifference> examples) {

    SavedTable {
        resumeFrom = resumeFrom == null ? null : List.copyOf(resumeFrom);
        examples = List.copyOf(examples);
    }

    boolean differs() {
        return missing + extra + different > 0;
    }
}
