package io.exodus.proxy.verify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What verification reads from a database's catalog: which tables there are, and how each is defined. */
final class TableCatalog {
    /**
     * The tables a verification of a whole database covers: partitions through their partitioned table; Exodus' own
     * schema is not the application's.
     */
    static final String APPLICATION_TABLES = """
            SELECT c.oid, n.nspname, c.relname
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'exodus') AND n.nspname NOT LIKE 'pg\\_%'""";
    private static final String TABLES = "SELECT nspname, relname FROM (" + APPLICATION_TABLES + ") t ORDER BY 1, 2";

    /** A name as SQL would write it ({@code t}, {@code app.t}, {@code "Mixed"}), found through the search path. */
    private static final String RESOLVE = """
            SELECT n.nspname, c.relname
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = pg_catalog.to_regclass($1) AND c.relkind IN ('r', 'p')""";

    private static final String DEFINITION = """
            SELECT c.relkind::text, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> ''
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
            ORDER BY a.attnum""";

    /**
     * The primary key and the unique indexes PostgreSQL would take as {@code REPLICA IDENTITY USING INDEX}: valid,
     * not deferrable, not partial, no expressions, every key column (not the {@code INCLUDE}d ones) {@code NOT
     * NULL}. Best first: the primary key, the replica identity, then the fewest columns, then by name, so that
     * every run picks the same.
     */
    private static final String KEYS = """
            SELECT ic.relname::text, i.indisprimary,
                   ARRAY(SELECT a.attname::text
                         FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                         WHERE k.n <= i.indnkeyatts ORDER BY k.n)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2
              AND (i.indisprimary
                   OR (i.indisunique AND i.indisvalid AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
                       AND NOT EXISTS (SELECT FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                                       LEFT JOIN pg_catalog.pg_attribute a
                                              ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                                       WHERE k.n <= i.indnkeyatts AND NOT coalesce(a.attnotnull, false))))
            ORDER BY i.indisprimary DESC, i.indisreplident DESC, i.indnkeyatts, ic.relname""";

    /** The tables catch-up marked divergent, by the name written in the statement that made them so. */
    private static final String DIVERGENT = """
            SELECT n.nspname, c.relname, d.reason
            FROM exodus.divergent_tables d
            JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(d.table_name)
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            ORDER BY d.marked_at""";

    /**
     * A mark for the table unless it has one (catch-up names it as its statement did): that one keeps its reason, and
     * is older than the verification, so the next one that finds the table identical clears it all the same.
     */
    private static final String MARK = """
            INSERT INTO exodus.divergent_tables (table_name, reason) SELECT $1, $2
            WHERE NOT EXISTS (SELECT 1 FROM exodus.divergent_tables
                              WHERE pg_catalog.to_regclass(table_name) = pg_catalog.to_regclass($1))
            ON CONFLICT (table_name) DO NOTHING""";

    private static final String DIVERGENT_EXISTS = "SELECT pg_catalog.to_regclass('exodus.divergent_tables') IS NOT NULL";

    /**
     * A table's marks made before its verification began: what was marked then was in the rows the verification read.
     * A mark made since (the same table marked again) stays.
     */
    private static final String CLEAR_MARKS = """
            DELETE FROM exodus.divergent_tables
            WHERE pg_catalog.to_regclass(table_name) = pg_catalog.to_regclass($1) AND marked_at < $2
            RETURNING table_name""";

    private static final String CLOCK = "SELECT statement_timestamp()";

    /** The planner's estimate (a partitioned table's: its leaf partitions'): enough to size buckets, without a scan. */
    private static final String ESTIMATED_ROWS = """
            SELECT CASE WHEN c.relkind = 'p'
                        THEN (SELECT coalesce(sum(greatest(p.reltuples, 0)), 0)::bigint
                              FROM pg_catalog.pg_partition_tree(c.oid) t
                              JOIN pg_catalog.pg_class p ON p.oid = t.relid WHERE t.isleaf)
                        ELSE greatest(c.reltuples, 0)::bigint END
            FROM pg_catalog.pg_class c WHERE c.oid = $1::text::regclass""";

    private final SqlConnection connection;

    TableCatalog(SqlConnection connection) {
        this.connection = connection;
    }

    Future<List<TableName>> tables() {
        return connection.query(TABLES).execute().map(rows -> {
            List<TableName> names = new ArrayList<>();
            rows.forEach(row -> names.add(new TableName(row.getString(0), row.getString(1))));
            return names;
        });
    }

    Future<Optional<TableName>> resolve(String written) {
        return connection.preparedQuery(RESOLVE).execute(Tuple.of(written)).map(rows -> {
            var found = rows.iterator();
            if (!found.hasNext()) {
                return Optional.empty();
            }
            Row row = found.next();
            return Optional.of(new TableName(row.getString(0), row.getString(1)));
        });
    }

    /**
     * The tables of these names, in their order; fails with {@link VerificationRefused} naming the first the database
     * does not have.
     */
    Future<List<TableName>> resolveAll(List<String> written, String database) {
        List<TableName> found = new ArrayList<>();
        return InOrder.each(written, name -> resolve(name)
                .recover(failure -> Future.failedFuture(new VerificationRefused(
                        VerificationRefused.Reason.UNKNOWN_TABLE, "cannot read the table name " + name + ": "
                                + failure.getMessage())))
                .compose(table -> {
                    if (table.isEmpty()) {
                        return Future.failedFuture(new VerificationRefused(VerificationRefused.Reason.UNKNOWN_TABLE,
                                "no table " + name + " in database \"" + database + "\" on the source: name it as "
                                        + "SQL would (t, schema.t, \"Mixed\")"));
                    }
                    found.add(table.get());
                    return Future.<Void>succeededFuture();
                })).map(found);
    }

    /** Empty when the database has no such table. */
    Future<Optional<TableDefinition>> definition(TableName name) {
        Tuple named = Tuple.of(name.schema(), name.table());
        return connection.preparedQuery(DEFINITION).execute(named).compose(rows -> {
            if (rows.size() == 0) {
                return Future.succeededFuture(Optional.<TableDefinition>empty());
            }
            boolean partitioned = false;
            List<TableDefinition.Column> columns = new ArrayList<>();
            for (Row row : rows) {
                partitioned = "p".equals(row.getString(0));
                columns.add(new TableDefinition.Column(row.getString(1), row.getString(2), row.getBoolean(3)));
            }
            boolean isPartitioned = partitioned;
            return connection.preparedQuery(KEYS).execute(named).map(keyRows -> {
                List<TableDefinition.UniqueKey> keys = new ArrayList<>();
                for (Row row : keyRows) {
                    keys.add(new TableDefinition.UniqueKey(row.getString(0), row.getBoolean(1),
                            List.of(row.getArrayOfStrings(2))));
                }
                return Optional.of(new TableDefinition(name, isPartitioned, columns, keys));
            });
        });
    }

    Future<Long> estimatedRows(TableName name) {
        return connection.preparedQuery(ESTIMATED_ROWS).execute(Tuple.of(name.sql()))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The database's clock, which its marks are timed by. */
    Future<OffsetDateTime> clock() {
        return connection.query(CLOCK).execute().map(rows -> rows.iterator().next().getOffsetDateTime(0));
    }

    /**
     * Clears the table's marks made before {@code since}, the database's {@link #clock} when its verification began,
     * which found it identical; answers how many there were.
     */
    Future<Integer> clearMarks(TableName name, OffsetDateTime since) {
        return connection.query(DIVERGENT_EXISTS).execute().compose(exists -> !exists.iterator().next().getBoolean(0)
                ? Future.succeededFuture(0)
                : connection.preparedQuery(CLEAR_MARKS).execute(Tuple.of(name.sql(), since)).map(RowSet::rowCount));
    }

    /**
     * Marks the table divergent ({@code exodus.divergent_tables}, created with the verification's own tables): a move
     * of the primary waits until a verification that begins after this finds it identical.
     */
    Future<Void> markDivergent(TableName name, String reason) {
        return connection.preparedQuery(MARK).execute(Tuple.of(name.sql(), reason)).mapEmpty();
    }

    /** Table → why it was marked; empty where no proxy ever created the catch-up queue in this database. */
    Future<Map<TableName, String>> markedDivergent() {
        return connection.query(DIVERGENT_EXISTS).execute().compose(exists -> {
            if (!exists.iterator().next().getBoolean(0)) {
                return Future.succeededFuture(Map.<TableName, String>of());
            }
            return connection.query(DIVERGENT).execute().map(rows -> {
                Map<TableName, String> marked = new LinkedHashMap<>();
                rows.forEach(row -> marked.putIfAbsent(new TableName(row.getString(0), row.getString(1)),
                        row.getString(2)));
                return marked;
            });
        });
    }
}
