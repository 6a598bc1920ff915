package io.exodus.proxy.verify;

import io.exodus.canonical.CanonicalRow;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The queries that verify a table without a primary key on one database. Rows have no order to cut along, so they
 * are grouped into buckets by the first hex digits of their md5: the same row lands in the same bucket on both
 * sides, and a bucket's checksum tells whether its rows are the same multiset. Each query reads the whole table.
 */
final class MultisetSql {
    private final TableDefinition table;
    private final List<String> rowColumns;
    private final boolean withText;

    MultisetSql(TableDefinition table, List<String> rowColumns, boolean withText) {
        this.table = table;
        this.rowColumns = List.copyOf(rowColumns);
        this.withText = withText;
    }

    /**
     * Locks the table against writes, not reads, until the transaction ends: a repair's hold on the primary. SHARE,
     * not SHARE ROW EXCLUSIVE: the repair only reads there, and need not shut out another reader that locks the same.
     */
    String lockedAgainstWrites() {
        return "LOCK TABLE " + table.name().sql() + " IN SHARE MODE";
    }

    /**
     * Locks the table against other writers until the transaction ends: a repair's hold on the side it writes. SHARE
     * ROW EXCLUSIVE, not SHARE: two SHARE holders that then both write deadlock; this mode admits one at a time.
     */
    String lockedForRepair() {
        return "LOCK TABLE " + table.name().sql() + " IN SHARE ROW EXCLUSIVE MODE";
    }

    /** Per bucket (the first {@code digits} hex digits of the md5): the bucket, count and sums. */
    Statement buckets(int digits) {
        return new Statement("SELECT substr(h, 1, " + digits + "), " + CanonicalRow.checksumOf("h") + " FROM "
                + hashed() + " GROUP BY 1", Tuple.tuple());
    }

    /** The distinct rows of these buckets, with their copies. */
    Statement rowsInBuckets(int digits, List<String> buckets) {
        return new Statement(countedRows() + " WHERE substr(h, 1, " + digits + ") = ANY ($1::text[]) GROUP BY h",
                Tuple.of(buckets.toArray(String[]::new)));
    }

    /** The copies of these rows, by md5. */
    Statement rowsWithHashes(List<String> md5s) {
        return new Statement(countedRows() + " WHERE h = ANY ($1::text[]) GROUP BY h",
                Tuple.of(md5s.toArray(String[]::new)));
    }

    /** One copy of each of these rows with every column's value as text, and the number of copies. */
    Statement valuesWithHashes(List<String> md5s) {
        List<String> values = new ArrayList<>(rowColumns.size());
        List<String> named = new ArrayList<>(rowColumns.size());
        for (int i = 0; i < rowColumns.size(); i++) {
            values.add("v" + i);
            named.add(CanonicalRow.column(rowColumns.get(i)) + "::text AS v" + i);
        }
        return new Statement("SELECT DISTINCT ON (h) h, count(*) OVER (PARTITION BY h), " + String.join(", ", values)
                + " FROM (SELECT " + CanonicalRow.md5(rowColumns) + " AS h, " + String.join(", ", named) + " FROM "
                + table.from() + ") s WHERE h = ANY ($1::text[])", Tuple.of(md5s.toArray(String[]::new)));
    }

    /** Reads what {@link #valuesWithHashes} returns. */
    List<CountedValues> countedValues(RowSet<Row> rows) {
        List<CountedValues> read = new ArrayList<>(rows.size());
        for (Row row : rows) {
            List<String> values = new ArrayList<>(rowColumns.size());
            for (int i = 0; i < rowColumns.size(); i++) {
                values.add(row.getString(2 + i));
            }
            read.add(new CountedValues(new CountedRow(row.getString(0), row.getLong(1), null), values));
        }
        return read;
    }

    List<CountedRow> countedRows(RowSet<Row> rows) {
        List<CountedRow> read = new ArrayList<>(rows.size());
        for (Row row : rows) {
            read.add(new CountedRow(row.getString(0), row.getLong(1), withText ? row.getString(2) : null));
        }
        return read;
    }

    private String countedRows() {
        return "SELECT h, count(*)" + (withText ? ", min(t)" : "") + " FROM " + hashed();
    }

    private String hashed() {
        return "(SELECT " + CanonicalRow.md5(rowColumns) + " AS h"
                + (withText ? ", " + CanonicalRow.text(rowColumns) + " AS t" : "") + " FROM "
                + table.from() + ") s";
    }
}
