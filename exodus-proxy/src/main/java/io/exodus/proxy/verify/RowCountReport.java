package io.exodus.proxy.verify;

import java.util.List;

/**
 * The last round of row counts.
 *
 * @param state      {@code running}, {@code done} or {@code failed} (see {@code error})
 * @param differing  tables whose exact counts differ
 */
public record RowCountReport(String state, String database, String startedAt, String finishedAt, long differing,
        String error, List<RowCount> tables) {
}
