package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Repairs the rows of a table with a primary key that its verification reported, in one transaction on the repaired
 * database: the rows are locked and read again on the authoritative side, then locked and read on the repaired side, a row that is now the same is left alone, and the
 * others are deleted, updated or inserted to match the authoritative database.
 */
final class KeyedRepair {
    private final BothSides databases;
    private final Sides<KeyedSql> sql;
    private final RepairSql writes;
    private final List<String> keyColumns;
    private final Side authoritative;

    KeyedRepair(BothSides databases, Sides<TableDefinition> tables, Side authoritative) {
        List<String> rowColumns = tables.source().columnNames();
        this.databases = databases;
        this.sql = new Sides<>(new KeyedSql(tables.source(), rowColumns, false),
                new KeyedSql(tables.target(), rowColumns, false));
        Side repaired = authoritative.other();
        this.writes = new RepairSql(tables.of(repaired), rowColumns, sql.of(repaired));
        this.keyColumns = tables.source().keyNames();
        this.authoritative = authoritative;
    }

    Future<TableRepairReport> run(TableName table, List<RowDifference> reported) {
        List<List<String>> keys = reported.stream().map(d -> List.copyOf(d.key().values())).toList();
        Side repaired = authoritative.other();
        // The primary's rows first, as dual-write takes them, held until the repaired side has committed: a write
        // that changes them on the primary meanwhile waits, and reaches the repaired side after the repair (ADR 0030).
        return databases.holdingLocks(authoritative, () -> databases.on(authoritative,
                sql.of(authoritative).lockedValuesWithKeys(keys)).compose(onAuthoritative -> databases.inTransaction(
                repaired, () -> databases.on(repaired, sql.of(repaired).lockedRowsWithKeys(keys)).compose(onRepaired -> {
                    List<RowValues> values = sql.of(authoritative).rowValues(onAuthoritative);
                    List<HashedRow> authoritativeRows = values.stream().map(RowValues::row).toList();
                    List<HashedRow> repairedRows = sql.of(repaired).hashedRows(onRepaired);
                    List<RowDifference> still = authoritative == Side.SOURCE
                            ? RowComparison.differences(keyColumns, authoritativeRows, repairedRows)
                            : RowComparison.differences(keyColumns, repairedRows, authoritativeRows);
                    return write(still, values).map(changes -> TableRepairReport.done(table,
                            reported.size() - still.size(), changes));
                }))));
    }

    private Future<List<RepairedRow>> write(List<RowDifference> still, List<RowValues> values) {
        Map<List<String>, List<String>> valuesByKey = new HashMap<>();
        values.forEach(row -> valuesByKey.put(row.row().key(), row.values()));
        List<List<String>> deletes = new ArrayList<>();
        List<List<String>> updates = new ArrayList<>();
        List<List<String>> inserts = new ArrayList<>();
        List<RepairedRow> changes = new ArrayList<>();
        for (RowDifference difference : still) {
            List<String> key = List.copyOf(difference.key().values());
            RepairedRow.Change change = change(difference.kind());
            changes.add(RepairedRow.keyed(change, difference.key()));
            switch (change) {
                case DELETED -> deletes.add(key);
                case UPDATED -> updates.add(valuesByKey.get(key));
                case INSERTED -> inserts.add(valuesByKey.get(key));
            }
        }
        Side repaired = authoritative.other();
        List<Statement> statements = new ArrayList<>();
        if (!deletes.isEmpty()) {
            statements.add(writes.deleteKeys(deletes));
        }
        if (!updates.isEmpty() && writes.hasValueColumns()) {
            statements.add(writes.update(updates));
        }
        if (!inserts.isEmpty()) {
            statements.add(writes.insert(inserts));
        }
        return InOrder.each(statements, statement -> databases.on(repaired, statement).<Void>mapEmpty())
                .map(changes);
    }

    /** What the repaired database needs for a difference seen from the source's side. */
    private RepairedRow.Change change(RowDifference.Kind kind) {
        return switch (kind) {
            case DIFFERENT -> RepairedRow.Change.UPDATED;
            // Missing: on the source, not on the target.
            case MISSING -> authoritative == Side.SOURCE ? RepairedRow.Change.INSERTED : RepairedRow.Change.DELETED;
            case EXTRA -> authoritative == Side.SOURCE ? RepairedRow.Change.DELETED : RepairedRow.Change.INSERTED;
        };
    }
}
