package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Repairs the rows of a table without a primary key that its verification reported, in one transaction on the
 * repaired database, the table locked against writes on both sides meanwhile: the copies of each reported row are
 * counted again on both, and the repaired side is given the authoritative side's number of copies (rows inserted or
 * deleted); a row now held as often on both is left alone.
 */
final class MultisetRepair {
    private final BothSides databases;
    private final Sides<MultisetSql> sql;
    private final RepairSql writes;
    private final Side authoritative;

    MultisetRepair(BothSides databases, Sides<TableDefinition> tables, Side authoritative) {
        List<String> rowColumns = tables.source().columnNames();
        this.databases = databases;
        this.sql = new Sides<>(new MultisetSql(tables.source(), rowColumns, false),
                new MultisetSql(tables.target(), rowColumns, false));
        Side repaired = authoritative.other();
        this.writes = new RepairSql(tables.of(repaired), rowColumns,
                new KeyedSql(tables.of(repaired), rowColumns, false));
        this.authoritative = authoritative;
    }

    Future<TableRepairReport> run(TableName table, List<RowDifference> reported) {
        List<String> md5s = reported.stream().map(RowDifference::rowMd5).toList();
        long reportedRows = reported.stream().mapToLong(RowDifference::rows).sum();
        Side repaired = authoritative.other();
        // The primary's table first, as dual-write locks it, held until the repaired side has committed: its writes
        // wait, and reach the repaired side after the repair (ADR 0030). The repaired side's table is locked too, so
        // that a write the primary already committed is counted there only once it has committed there as well.
        return databases.holdingLocks(authoritative, () -> databases.script(authoritative,
                        sql.of(authoritative).lockedAgainstWrites())
                .compose(locked -> databases.on(authoritative, sql.of(authoritative).valuesWithHashes(md5s)))
                .compose(onAuthoritative -> databases.inTransaction(repaired, () -> databases.script(repaired,
                                sql.of(repaired).lockedForRepair())
                        .compose(locked -> databases.on(repaired, sql.of(repaired).rowsWithHashes(md5s)))
                        .compose(onRepaired -> write(table, md5s, reportedRows, onAuthoritative, onRepaired)))));
    }

    private Future<TableRepairReport> write(TableName table, List<String> md5s, long reportedRows,
            RowSet<Row> onAuthoritative, RowSet<Row> onRepaired) {
        Side repaired = authoritative.other();
        List<CountedValues> values = sql.of(authoritative).countedValues(onAuthoritative);
        Map<String, CountedValues> byMd5 = new HashMap<>();
        values.forEach(row -> byMd5.put(row.row().md5(), row));
        Map<String, Long> held = new HashMap<>();
        sql.of(repaired).countedRows(onRepaired).forEach(row -> held.put(row.md5(), row.copies()));
        List<RepairedRow> changes = new ArrayList<>();
        List<List<String>> inserts = new ArrayList<>();
        List<Statement> statements = new ArrayList<>();
        for (String md5 : md5s) {
            CountedValues wanted = byMd5.get(md5);
            long want = wanted == null ? 0 : wanted.row().copies();
            long have = held.getOrDefault(md5, 0L);
            if (want > have) {
                changes.add(RepairedRow.copies(RepairedRow.Change.INSERTED, md5, want - have));
                for (long copy = have; copy < want; copy++) {
                    inserts.add(wanted.values());
                }
            } else if (want < have) {
                changes.add(RepairedRow.copies(RepairedRow.Change.DELETED, md5, have - want));
                statements.add(writes.deleteCopies(md5, have - want));
            }
        }
        if (!inserts.isEmpty()) {
            statements.add(writes.insert(inserts));
        }
        long changed = changes.stream().mapToLong(RepairedRow::rows).sum();
        return InOrder.each(statements, statement -> databases.on(repaired, statement).<Void>mapEmpty())
                .map(done -> TableRepairReport.done(table, Math.max(0, reportedRows - changed), changes));
    }
}
