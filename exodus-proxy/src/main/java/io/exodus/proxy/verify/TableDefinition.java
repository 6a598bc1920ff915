package io.exodus.proxy.verify;

import io.exodus.canonical.CanonicalRow;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A table as one database defines it: its live columns in column order, and the keys its rows can be matched by.
 *
 * @param partitioned a partitioned table holds its rows in its partitions, which are read through it
 * @param keys        the primary key, then every unique index that could be a replica identity ({@link UniqueKey}),
 *                    best first; the first is the key its rows are matched by, none for a table compared as a
 *                    multiset
 */
record TableDefinition(TableName name, boolean partitioned, List<Column> columns, List<UniqueKey> keys) {

    /**
     * @param type      the column's type as {@code format_type} prints it, usable in a cast
     * @param generated a stored generated column: the database computes it, nobody may write it
     */
    record Column(String name, String type, boolean generated) {
    }

    /**
     * A key that names one row: the primary key, or a unique index that PostgreSQL would accept as {@code REPLICA
     * IDENTITY USING INDEX} (valid, not deferrable, not partial, no expressions, every key column {@code NOT NULL}).
     * A unique index on a nullable column is no key: it admits any number of rows with NULL there, which no key
     * range holds either.
     *
     * @param index   the index's name
     * @param columns the key's column names, in index order
     */
    record UniqueKey(String index, boolean primary, List<String> columns) {
        UniqueKey {
            columns = List.copyOf(columns);
        }

        /** The same columns, in another order: it makes the same rows unique. */
        boolean sameColumnsAs(UniqueKey other) {
            return columns.size() == other.columns.size() && columns.containsAll(other.columns);
        }
    }

    TableDefinition {
        columns = List.copyOf(columns);
        keys = List.copyOf(keys);
    }

    /** Whether rows are matched by a key; without one, the table is compared as a multiset. */
    boolean hasKey() {
        return !keys.isEmpty();
    }

    /** The key rows are matched by; only when {@link #hasKey()}. */
    UniqueKey rowKey() {
        return keys.get(0);
    }

    /** The columns of the key rows are matched by, in key order; empty without one. */
    List<Column> key() {
        if (keys.isEmpty()) {
            return List.of();
        }
        Map<String, Column> byName = columns.stream().collect(Collectors.toMap(Column::name, Function.identity()));
        return rowKey().columns().stream().map(byName::get).toList();
    }

    List<String> keyNames() {
        return keys.isEmpty() ? List.of() : rowKey().columns();
    }

    /** This table with its rows matched by this key alone (one of its own, its columns possibly in another order). */
    /**
     * The table as verification reads it, aliased {@link CanonicalRow#ALIAS}. ONLY: rows of tables that inherit from
     * this one are their own tables' rows. A partitioned table has no rows of its own, only its partitions'.
     */
    String from() {
        return (partitioned ? "" : "ONLY ") + name.sql() + " AS " + CanonicalRow.ALIAS;
    }

    TableDefinition keyedBy(UniqueKey key) {
        return new TableDefinition(name, partitioned, columns, List.of(key));
    }

    /** This table compared as a multiset, whatever keys it has. */
    TableDefinition withoutKey() {
        return new TableDefinition(name, partitioned, columns, List.of());
    }

    List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
