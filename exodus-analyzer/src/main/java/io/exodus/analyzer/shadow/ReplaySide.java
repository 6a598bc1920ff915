package io.exodus.analyzer.shadow;

import io.exodus.analyzer.config.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.desc.ColumnDescriptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * One database the replay runs on: the source or the target, or a scratch copy of either. Every statement runs in a
 * transaction of its own that is always rolled back, so that nothing a replayed text does can last; on the live
 * databases that transaction is read-only, on sessions that start read-only too ({@code default_transaction_read_only}).
 * The simple protocol carries it, as it carries captured simple-protocol traffic.
 */
final class ReplaySide implements AutoCloseable {
    private static final String BEGIN_READ_ONLY = "BEGIN TRANSACTION READ ONLY";
    private static final String BEGIN_ON_SCRATCH = "BEGIN";
    private static final String ROLLBACK = "ROLLBACK";
    private static final String DEFAULT_COLLATION = """
            SELECT d.datcollate AS collate, to_jsonb(d) ->> 'datlocprovider' AS provider,
                   coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale') AS locale
            FROM pg_catalog.pg_database d WHERE d.datname = current_database()""";
    private static final char LIBC = 'c';
    private static final char ICU = 'i';

    private static final String PROBE = "SELECT 1";
    /** The captured session's settings, for this transaction only, in one round trip. */
    private static final String SETTINGS = """
            SELECT pg_catalog.set_config(s.name, s.value, true)
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS s(name, value, n) ORDER BY s.n""";
    private static final String TYPE_NAMES = """
            SELECT t.oid::int8, pg_catalog.format_type(t.oid, NULL) FROM pg_catalog.pg_type t
            WHERE t.oid = ANY ($1::int8[]::oid[])""";

    private final Pool pool;
    /** The load guard's own connection: a probe must not queue behind the replay's statements for one. */
    private final Pool probePool;
    private final int maxRows;
    private final String begin;

    private ReplaySide(Pool pool, Pool probePool, int maxRows, String begin) {
        this.pool = pool;
        this.probePool = probePool;
        this.maxRows = maxRows;
        this.begin = begin;
    }

    /** A live database: reads only. */
    static ReplaySide live(Vertx vertx, DatabaseUrl url, int connections, Duration statementTimeout, int maxRows) {
        url.options().getProperties().put("default_transaction_read_only", "on");
        return open(vertx, url, connections, statementTimeout, maxRows, BEGIN_READ_ONLY);
    }

    /** A scratch copy, where writes may run (and are rolled back). */
    static ReplaySide scratch(Vertx vertx, DatabaseUrl url, int connections, Duration statementTimeout, int maxRows) {
        return open(vertx, url, connections, statementTimeout, maxRows, BEGIN_ON_SCRATCH);
    }

    private static ReplaySide open(Vertx vertx, DatabaseUrl url, int connections, Duration statementTimeout,
            int maxRows, String begin) {
        var properties = url.options().getProperties();
        properties.put("application_name", "exodus-analyzer-shadow");
        properties.put("statement_timeout", statementTimeout.toMillis() + "ms");
        return new ReplaySide(url.pool(vertx, connections), url.pool(vertx, 1), maxRows, begin);
    }

    /**
     * The SQL names of these type OIDs ({@code format_type}, schema-qualified where the search path does not find
     * them); OIDs the database does not know are left out.
     */
    Future<Map<Long, String>> typeNames(Collection<Long> oids) {
        if (oids.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return pool.preparedQuery(TYPE_NAMES).execute(Tuple.of(oids.toArray(Long[]::new))).map(rows -> {
            Map<Long, String> names = new HashMap<>();
            rows.forEach(row -> names.put(row.getLong(0), row.getString(1)));
            return names;
        });
    }

    /** The load guard's probe of this database: a trivial query on a connection of its own. */
    LoadGuard.Probe probe() {
        return LoadGuard.timing(() -> probePool.query(PROBE).execute());
    }

    /**
     * The statement's answer under the captured session's settings; a failure of the replay itself is a
     * {@link Outcome.Failed} without SQLSTATE. A setting this database refuses (a time zone it does not know) is its
     * answer, as the client would have had it.
     */
    Future<Outcome> run(String sql, Map<String, String> settings) {
        return inReadOnlyTransaction(settings, connection -> {
            long start = System.nanoTime();
            return connection.query(sql).execute().transform(done -> Future.succeededFuture(done.succeeded()
                    ? rows(done.result(), micros(start)) : failed(done.cause(), micros(start))));
        }).otherwise(failure -> failed(failure, 0));
    }

    /**
     * The plan PostgreSQL chooses for the statement: estimated only, or with {@code analyzed} as it ran (ANALYZE
     * executes the statement; callers ask for it for reads only, and the transaction is rolled back either way).
     */
    Future<PlanShape> explain(String sql, Map<String, String> settings, boolean analyzed) {
        String explain = analyzed ? "EXPLAIN (ANALYZE, FORMAT JSON) " : "EXPLAIN (FORMAT JSON) ";
        return inReadOnlyTransaction(settings, connection -> connection.query(explain + sql).execute()
                .map(rows -> PlanShape.parse(rows.iterator().next().getValue(0))));
    }

    /**
     * The collation of each result column ({@code COLLATION FOR}, null for types without one), read by running the
     * statement as a subquery whose columns are renamed, so that duplicate or unnamed columns cannot clash; a
     * column of the database's default collation is described by that default.
     */
    Future<List<String>> collations(String sql, Map<String, String> settings, int columns) {
        StringBuilder probe = new StringBuilder("SELECT ");
        StringBuilder names = new StringBuilder();
        for (int c = 1; c <= columns; c++) {
            probe.append(c > 1 ? ", " : "").append("COLLATION FOR (q.c").append(c).append(")");
            names.append(c > 1 ? ", " : "").append('c').append(c);
        }
        probe.append(" FROM (").append(sql).append(") AS q(").append(names).append(") LIMIT 1");
        return inReadOnlyTransaction(settings, connection -> connection.query(DEFAULT_COLLATION).execute()
                .compose(defaults -> connection.query(probe.toString()).execute().map(found -> {
                    String databaseDefault = describeDefault(defaults.iterator().next());
                    Row row = found.iterator().next();
                    List<String> collations = new ArrayList<>(columns);
                    for (int c = 0; c < columns; c++) {
                        String collation = row.getString(c);
                        collations.add(collation == null ? null
                                : collation.equals("\"default\"") ? databaseDefault : collation);
                    }
                    return collations;
                })));
    }

    private static String describeDefault(Row database) {
        String provider = database.getString("provider");
        char kind = provider == null || provider.isEmpty() ? LIBC : provider.charAt(0);
        String locale = database.getString("locale");
        return switch (kind) {
            case ICU -> "database default, ICU " + locale;
            case LIBC -> "database default, libc " + database.getString("collate");
            default -> "database default, builtin " + locale;
        };
    }

    private <T> Future<T> inReadOnlyTransaction(Map<String, String> settings,
            Function<SqlConnection, Future<T>> work) {
        return pool.withConnection(connection -> connection.query(begin).execute()
                .compose(begun -> applied(connection, settings).compose(set -> work.apply(connection))
                        .transform(done -> connection.query(ROLLBACK).execute()
                                .transform(rolledBack -> done.succeeded() ? Future.succeededFuture(done.result())
                                        : Future.failedFuture(done.cause())))));
    }

    /** The settings given to the open transaction; Tuple.tuple, since Tuple.of would spread an array into values. */
    private static Future<Void> applied(SqlConnection connection, Map<String, String> settings) {
        if (settings.isEmpty()) {
            return Future.succeededFuture();
        }
        return connection.preparedQuery(SETTINGS).execute(Tuple.tuple(List.of(
                settings.keySet().toArray(String[]::new), settings.values().toArray(String[]::new)))).mapEmpty();
    }

    private Outcome rows(RowSet<Row> result, long micros) {
        List<ColumnDescriptor> descriptors = result.columnDescriptors();
        List<Column> columns = descriptors == null ? List.of()
                : descriptors.stream().map(d -> new Column(d.name(), d.typeName())).toList();
        if (columns.isEmpty()) {
            // A write without RETURNING: its command tag's count (rows affected) is its answer.
            return new Outcome.Rows(columns, List.of(), result.rowCount(), false, micros);
        }
        if (result.size() > maxRows) {
            return new Outcome.Rows(columns, List.of(), result.size(), true, micros);
        }
        List<List<Object>> rows = new ArrayList<>(result.size());
        for (Row row : result) {
            List<Object> cells = new ArrayList<>(row.size());
            for (int c = 0; c < row.size(); c++) {
                cells.add(cell(row.getValue(c)));
            }
            rows.add(cells);
        }
        return new Outcome.Rows(columns, rows, result.size(), false, micros);
    }

    /** Floating-point values stay numbers, for the tolerance; everything else compares by its text. */
    private static Object cell(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Double || value instanceof Float) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Object[] array) {
            return Arrays.deepToString(array);
        }
        if (value instanceof Buffer buffer) {
            return "\\x" + HexFormat.of().formatHex(buffer.getBytes());
        }
        return value.toString();
    }

    private static Outcome failed(Throwable failure, long micros) {
        if (failure instanceof PgException pg) {
            return new Outcome.Failed(pg.getSqlState(), pg.getErrorMessage(), micros);
        }
        return new Outcome.Failed(null, String.valueOf(failure.getMessage()), micros);
    }

    private static long micros(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000;
    }

    @Override
    public void close() {
        pool.close();
        probePool.close();
    }
}
