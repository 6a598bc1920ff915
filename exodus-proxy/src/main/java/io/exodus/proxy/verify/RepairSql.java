package io.exodus.proxy.verify;

import io.exodus.canonical.CanonicalSettings;

import io.exodus.canonical.CanonicalRow;

import io.exodus.proxy.sql.Identifiers;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The writes of a repair on the repaired database. Values arrive as text read from the authoritative database under
 * {@link CanonicalSettings} (pinned here too) and are cast to this database's own column types, so that a value
 * reads back as the same canonical text. Rows travel as one text array per column, unnested: one statement for any
 * number of rows.
 */
final class RepairSql {
    private final TableDefinition table;
    /** The source's column order, the order of every row's values. */
    private final List<String> rowColumns;
    private final Map<String, String> types;
    /** Positions in {@link #rowColumns} of the columns a write may set: the database computes generated ones. */
    private final List<Integer> writable = new ArrayList<>();
    private final KeyedSql keyed;

    RepairSql(TableDefinition table, List<String> rowColumns, KeyedSql keyed) {
        this.table = table;
        this.rowColumns = List.copyOf(rowColumns);
        this.types = table.columns().stream()
                .collect(Collectors.toMap(TableDefinition.Column::name, TableDefinition.Column::type));
        this.keyed = keyed;
        List<String> generated = table.columns().stream().filter(TableDefinition.Column::generated)
                .map(TableDefinition.Column::name).toList();
        for (int i = 0; i < this.rowColumns.size(); i++) {
            if (!generated.contains(this.rowColumns.get(i))) {
                writable.add(i);
            }
        }
    }

    /** Inserts these rows, identity columns included: the authoritative side's values, not fresh ones. */
    Statement insert(List<List<String>> rows) {
        Tuple parameters = Tuple.tuple();
        String unnested = unnest(rows, parameters);
        List<String> names = new ArrayList<>();
        List<String> casts = new ArrayList<>();
        for (int i : writable) {
            names.add(Identifiers.quote(rowColumns.get(i)));
            casts.add(cast(i));
        }
        return new Statement("INSERT INTO " + table.name().sql() + " (" + String.join(", ", names)
                + ") OVERRIDING SYSTEM VALUE SELECT " + String.join(", ", casts) + " FROM " + unnested, parameters);
    }

    /** Sets every column but the key's of the rows with these rows' keys to these rows' values. */
    Statement update(List<List<String>> rows) {
        Tuple parameters = Tuple.tuple();
        String unnested = unnest(rows, parameters);
        List<String> assignments = new ArrayList<>();
        List<String> keyMatch = new ArrayList<>();
        for (int i = 0; i < rowColumns.size(); i++) {
            String name = rowColumns.get(i);
            if (table.keyNames().contains(name)) {
                keyMatch.add(CanonicalRow.column(name) + " = " + cast(i));
            } else if (writable.contains(i)) {
                assignments.add(Identifiers.quote(name) + " = " + cast(i));
            }
        }
        return new Statement("UPDATE " + table.from() + " SET " + String.join(", ", assignments)
                + " FROM " + unnested + " WHERE " + String.join(" AND ", keyMatch), parameters);
    }

    /** Deletes the rows of these keys. */
    Statement deleteKeys(List<List<String>> keys) {
        Tuple parameters = Tuple.tuple();
        return new Statement("DELETE FROM " + table.from() + " WHERE " + keyed.keysIn(keys, parameters),
                parameters);
    }

    /** Deletes {@code copies} of the rows whose canonical text has this md5 (a table without a key). */
    Statement deleteCopies(String md5, long copies) {
        // Equal rows cannot be told apart: any of them will do, named by where it is stored.
        return new Statement("DELETE FROM " + table.from() + " WHERE (" + CanonicalRow.ALIAS
                + ".tableoid, " + CanonicalRow.ALIAS + ".ctid) IN (SELECT " + CanonicalRow.ALIAS + ".tableoid, "
                + CanonicalRow.ALIAS + ".ctid FROM " + table.from() + " WHERE "
                + CanonicalRow.md5(rowColumns) + " = $1 LIMIT $2)", Tuple.of(md5, copies));
    }

    /** Whether the table has columns to set beyond its key and its generated ones. */
    boolean hasValueColumns() {
        return writable.stream().anyMatch(i -> !table.keyNames().contains(rowColumns.get(i)));
    }

    private String cast(int column) {
        return "u.v" + column + "::" + types.get(rowColumns.get(column));
    }

    private String unnest(List<List<String>> rows, Tuple parameters) {
        List<String> arrays = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < rowColumns.size(); i++) {
            String[] values = new String[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                values[r] = rows.get(r).get(i);
            }
            parameters.addArrayOfString(values);
            arrays.add("$" + parameters.size() + "::text[]");
            names.add("v" + i);
        }
        return "unnest(" + String.join(", ", arrays) + ") AS u(" + String.join(", ", names) + ")";
    }
}
