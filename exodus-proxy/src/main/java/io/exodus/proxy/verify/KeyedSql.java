package io.exodus.proxy.verify;

import io.exodus.canonical.CanonicalRow;
import io.exodus.proxy.sql.Identifiers;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The queries that verify a table with a primary key on one database: checksums of key ranges, the keys that cut a
 * range into parts, and the rows of a range or of some keys. Key bounds travel as text and are cast to this
 * database's own key types, so that {@code key >= bound} uses the primary key's index.
 */
final class KeyedSql {
    private static final String ROW_NUMBER = "\"exodus verify row\"";

    private final TableDefinition table;
    /** The source's column order: the canonical text is the same on both sides. */
    private final List<String> rowColumns;
    private final boolean withText;

    KeyedSql(TableDefinition table, List<String> rowColumns, boolean withText) {
        this.table = table;
        this.rowColumns = List.copyOf(rowColumns);
        this.withText = withText;
    }

    Statement checksum(KeyRange range) {
        Tuple parameters = Tuple.tuple();
        String where = where(range, parameters);
        return new Statement("SELECT " + CanonicalRow.checksumOf("h") + " FROM (SELECT " + CanonicalRow.md5(rowColumns)
                + " AS h FROM " + table.from() + " WHERE " + where + ") s", parameters);
    }

    /**
     * The keys of rows number {@code rowsPerPart + 1}, {@code 2 × rowsPerPart + 1} … of the range in key order: the
     * lower bounds of its parts after the first.
     */
    Statement boundaries(KeyRange range, long rowsPerPart) {
        Tuple parameters = Tuple.tuple();
        String where = where(range, parameters);
        String keyColumns = table.keyNames().stream().map(CanonicalRow::column).collect(Collectors.joining(", "));
        String keyOut = table.keyNames().stream().map(name -> "s." + Identifiers.quote(name)
                + "::text").collect(Collectors.joining(", "));
        return new Statement("SELECT " + keyOut + " FROM (SELECT " + keyColumns + ", row_number() OVER (ORDER BY "
                + keyColumns + ") AS " + ROW_NUMBER + " FROM " + table.from() + " WHERE " + where
                + ") s WHERE " + ROW_NUMBER + " > 1 AND (" + ROW_NUMBER + " - 1) % " + rowsPerPart + " = 0 ORDER BY "
                + ROW_NUMBER, parameters);
    }

    /** Key columns as text, the md5, and the text when values are shown. */
    Statement rows(KeyRange range) {
        Tuple parameters = Tuple.tuple();
        String where = where(range, parameters);
        return new Statement(selectRows() + " WHERE " + where, parameters);
    }

    /**
     * The rows of these keys, found by equality rather than by range: a row counts as present wherever the other
     * database's key order would have put it.
     */
    Statement rowsWithKeys(List<List<String>> keys) {
        Tuple parameters = Tuple.tuple();
        return new Statement(selectRows() + " WHERE " + keysIn(keys, parameters), parameters);
    }

    /** {@link #rowsWithKeys}, locking the rows found until the transaction ends: a repair's view of its side. */
    Statement lockedRowsWithKeys(List<List<String>> keys) {
        Statement rows = rowsWithKeys(keys);
        return new Statement(rows.sql() + " FOR UPDATE OF " + CanonicalRow.ALIAS, rows.parameters());
    }

    /**
     * {@link #valuesWithKeys}, the rows found locked against updates and deletes until the transaction ends: a
     * repair's read of the primary. {@code FOR NO KEY UPDATE} conflicts with every lock an UPDATE or DELETE takes,
     * but not with the {@code FOR KEY SHARE} of a foreign key check, which changes nothing of the row.
     */
    Statement lockedValuesWithKeys(List<List<String>> keys) {
        Statement values = valuesWithKeys(keys);
        return new Statement(values.sql() + " FOR NO KEY UPDATE OF " + CanonicalRow.ALIAS, values.parameters());
    }

    /** The rows of these keys with every column's value as text, after key and md5: what a repair copies. */
    Statement valuesWithKeys(List<List<String>> keys) {
        Tuple parameters = Tuple.tuple();
        String keyOut = table.keyNames().stream().map(name -> CanonicalRow.column(name) + "::text")
                .collect(Collectors.joining(", "));
        return new Statement("SELECT " + keyOut + ", " + CanonicalRow.md5(rowColumns) + ", "
                + CanonicalRow.values(rowColumns) + " FROM " + table.from() + " WHERE "
                + keysIn(keys, parameters), parameters);
    }

    /** Reads what {@link #valuesWithKeys} returns. */
    List<RowValues> rowValues(io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> rows) {
        int keys = table.key().size();
        List<RowValues> read = new ArrayList<>(rows.size());
        for (io.vertx.sqlclient.Row row : rows) {
            List<String> key = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++) {
                key.add(row.getString(i));
            }
            List<String> values = new ArrayList<>(rowColumns.size());
            for (int i = 0; i < rowColumns.size(); i++) {
                values.add(row.getString(keys + 1 + i));
            }
            read.add(new RowValues(new HashedRow(key, row.getString(keys), null), values));
        }
        return read;
    }

    /**
     * {@code (k1, k2) IN (…)}, the keys found by equality rather than by range: a row counts as present wherever the
     * other database's key order would have put it.
     */
    String keysIn(List<List<String>> keys, Tuple parameters) {
        List<String> casts = new ArrayList<>();
        List<String> arrays = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < table.key().size(); i++) {
            String[] values = new String[keys.size()];
            for (int k = 0; k < keys.size(); k++) {
                values[k] = keys.get(k).get(i);
            }
            parameters.addArrayOfString(values);
            arrays.add("$" + parameters.size() + "::text[]");
            names.add("k" + i);
            casts.add("u.k" + i + "::" + table.key().get(i).type());
        }
        String keyColumns = table.keyNames().stream().map(CanonicalRow::column).collect(Collectors.joining(", "));
        return "(" + keyColumns + ") IN (SELECT " + String.join(", ", casts) + " FROM unnest("
                + String.join(", ", arrays) + ") AS u(" + String.join(", ", names) + "))";
    }

    private String selectRows() {
        String keyOut = table.keyNames().stream().map(name -> CanonicalRow.column(name) + "::text")
                .collect(Collectors.joining(", "));
        return "SELECT " + keyOut + ", " + CanonicalRow.md5(rowColumns)
                + (withText ? ", " + CanonicalRow.text(rowColumns) : "") + " FROM " + table.from();
    }

    private String where(KeyRange range, Tuple parameters) {
        List<String> conditions = new ArrayList<>(2);
        if (range.lower() != null) {
            conditions.add(keyTuple() + " >= " + bound(range.lower(), parameters));
        }
        if (range.upper() != null) {
            conditions.add(keyTuple() + " < " + bound(range.upper(), parameters));
        }
        return conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions);
    }

    private String keyTuple() {
        return "(" + table.keyNames().stream().map(CanonicalRow::column).collect(Collectors.joining(", ")) + ")";
    }

    private String bound(List<String> values, Tuple parameters) {
        List<String> casts = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            parameters.addString(values.get(i));
            casts.add("$" + parameters.size() + "::text::" + table.key().get(i).type());
        }
        return "(" + String.join(", ", casts) + ")";
    }

    /** Reads what {@link #rows} and {@link #rowsWithKeys} return. */
    List<HashedRow> hashedRows(io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> rows) {
        int keys = table.key().size();
        List<HashedRow> read = new ArrayList<>(rows.size());
        for (io.vertx.sqlclient.Row row : rows) {
            List<String> key = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++) {
                key.add(row.getString(i));
            }
            read.add(new HashedRow(key, row.getString(keys), withText ? row.getString(keys + 1) : null));
        }
        return read;
    }
}
