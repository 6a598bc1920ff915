package io.exodus.proxy.verify;

import java.util.List;

/**
 * A table as one database defines it: its live columns in column order, and its primary key's columns in key order
 * (none for a table without a primary key).
 *
 * @param partitioned a partitioned table holds its rows in its partitions, which are read through it
 */
record TableDefinition(TableName name, boolean partitioned, List<Column> columns, List<Column> key) {

    /**
     * @param type      the column's type as {@code format_type} prints it, usable in a cast
     * @param generated a stored generated column: the database computes it, nobody may write it
     */
    record Column(String name, String type, boolean generated) {
    }

    TableDefinition {
        columns = List.copyOf(columns);
        key = List.copyOf(key);
    }

    boolean hasPrimaryKey() {
        return !key.isEmpty();
    }

    List<String> keyNames() {
        return key.stream().map(Column::name).toList();
    }

    List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
