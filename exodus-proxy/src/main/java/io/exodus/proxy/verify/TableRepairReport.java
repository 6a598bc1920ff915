package io.exodus.proxy.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One table's repair, as {@code POST /exodus/migration/repair} answers it.
 *
 * @param state    {@code done}, or {@code failed} with the {@code error} (nothing of the table was changed)
 * @param inserted rows inserted on the repaired database
 * @param updated  rows whose values were set to the authoritative database's
 * @param deleted  rows deleted from the repaired database
 * @param settled  rows the verification reported that were the same on both when repaired: left alone
 * @param rows     every change, by key (or md5 and copies for a table without a key)
 * @param sqlState the SQLSTATE of the database error that failed the repair, if one did ({@code 55P03}: a lock was
 *                 held longer than {@code exodus.verify.repair-lock-timeout})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TableRepairReport(String table, String state, long inserted, long updated, long deleted, long settled,
        List<RepairedRow> rows, String error, String sqlState) {

    static TableRepairReport done(TableName table, long settled, List<RepairedRow> rows) {
        long[] counts = new long[RepairedRow.Change.values().length];
        rows.forEach(row -> counts[row.change().ordinal()] += row.rows());
        return new TableRepairReport(table.toString(), "done", counts[RepairedRow.Change.INSERTED.ordinal()],
                counts[RepairedRow.Change.UPDATED.ordinal()], counts[RepairedRow.Change.DELETED.ordinal()], settled,
                List.copyOf(rows), null, null);
    }

    static TableRepairReport failed(TableName table, String why) {
        return failed(table, why, null);
    }

    static TableRepairReport failed(TableName table, String why, String sqlState) {
        return new TableRepairReport(table.toString(), "failed", 0, 0, 0, 0, List.of(), why, sqlState);
    }
}
