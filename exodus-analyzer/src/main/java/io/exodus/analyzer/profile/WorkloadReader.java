package io.exodus.analyzer.profile;

import io.exodus.analyzer.profile.WorkloadProfile.ClassMix;
import io.exodus.analyzer.profile.WorkloadProfile.FunctionUse;
import io.exodus.analyzer.profile.WorkloadProfile.LoadPoint;
import io.exodus.analyzer.profile.WorkloadProfile.StatementStats;
import io.exodus.analyzer.profile.WorkloadProfile.Transactions;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Sums up the captured events in the store into a {@link WorkloadProfile}: every figure is one aggregate query over
 * {@code exodus_analyzer.statement_event}, run side by side.
 */
final class WorkloadReader {
    static final int TOP = 25;
    /** About this many points on the load chart, whatever the length of the capture. */
    private static final int LOAD_POINTS = 60;
    private static final long[] BUCKET_SECONDS = {1, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400};

    private static final String SESSION = "(e.proxy_id, e.session_id)";
    private static final String EVENTS = "exodus_analyzer.statement_event e";
    private static final String WITH_STATEMENT = EVENTS + " JOIN exodus_analyzer.statement s USING (fingerprint)";

    private static final String TOTALS = """
            SELECT count(*) AS events, count(DISTINCT %s) AS sessions, min(e.at) AS first, max(e.at) AS last,
                   (SELECT coalesce(sum(dropped), 0) FROM exodus_analyzer.capture_batch)::bigint AS dropped
            FROM %s""".formatted(SESSION, EVENTS);
    private static final String MIX = """
            SELECT s.statement_class, count(*) AS calls, coalesce(sum(e.source_micros), 0)::bigint AS micros
            FROM %s GROUP BY 1 ORDER BY calls DESC""".formatted(WITH_STATEMENT);
    private static final String PROTOCOLS = "SELECT e.protocol, count(*) AS calls FROM " + EVENTS + " GROUP BY 1";
    private static final String STATEMENTS = """
            SELECT e.fingerprint, s.text, s.statement_class, s.features, s.functions, count(*) AS calls,
                   coalesce(sum(e.source_micros), 0)::bigint AS micros, coalesce(sum(e.rows), 0)::bigint AS rows,
                   count(e.sqlstate) AS errors
            FROM %s GROUP BY e.fingerprint, s.text, s.statement_class, s.features, s.functions
            ORDER BY %%s DESC, e.fingerprint LIMIT %d""".formatted(WITH_STATEMENT, TOP);
    private static final String LOAD = """
            SELECT to_timestamp(floor(extract(epoch FROM e.at)::float8 / $1::float8) * $1::float8) AS bucket, count(*) AS calls,
                   count(*) FILTER (WHERE s.statement_class IN ('write', 'ddl')) AS writes,
                   coalesce(sum(e.source_micros), 0)::bigint AS micros, count(DISTINCT %s) AS sessions
            FROM %s GROUP BY 1 ORDER BY 1""".formatted(SESSION, WITH_STATEMENT);
    private static final String PEAK_SESSIONS = """
            WITH spans AS (
                SELECT min(e.at) AS opened,
                       max(e.at + make_interval(secs => coalesce(e.source_micros, 0) / 1e6)) AS closed
                FROM %s GROUP BY e.proxy_id, e.session_id),
            points AS (SELECT opened AS t, 1 AS delta FROM spans UNION ALL SELECT closed, -1 FROM spans)
            SELECT coalesce(max(open), 0)::int AS peak
            FROM (SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS open FROM points) o"""
            .formatted(EVENTS);
    private static final String TRANSACTIONS = """
            WITH t AS (
                SELECT count(*) AS statements, extract(epoch FROM max(e.at + make_interval(secs =>
                           coalesce(e.source_micros, 0) / 1e6)) - min(e.at)) * 1e6 AS micros
                FROM %s WHERE e.transaction_id IS NOT NULL GROUP BY e.proxy_id, e.session_id, e.transaction_id)
            SELECT count(*) AS count, coalesce(avg(micros), 0)::float8 AS mean,
                   coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY micros), 0)::float8 AS p95,
                   coalesce(max(micros), 0)::bigint AS max, coalesce(avg(statements), 0)::float8 AS statements
            FROM t""".formatted(EVENTS);
    private static final String BEHAVIOUR = """
            SELECT f AS behaviour, count(DISTINCT %s) AS sessions
            FROM %s CROSS JOIN unnest(s.features) AS f GROUP BY f
            UNION ALL
            SELECT '%s', count(DISTINCT %s) FROM %s WHERE e.prepared_name <> ''"""
            .formatted(SESSION, WITH_STATEMENT, WorkloadProfile.NAMED_STATEMENTS, SESSION, EVENTS);
    private static final String FUNCTIONS = """
            SELECT fn AS name, count(DISTINCT s.fingerprint) AS statements, count(*) AS calls
            FROM %s CROSS JOIN unnest(s.functions) AS fn GROUP BY fn ORDER BY calls DESC, fn""".formatted(WITH_STATEMENT);
    private static final String ERRORS = """
            SELECT e.sqlstate, count(*) AS calls FROM %s WHERE e.sqlstate IS NOT NULL
            GROUP BY 1 ORDER BY calls DESC LIMIT 10""".formatted(EVENTS);
    private static final String CALLING = """
            SELECT e.fingerprint, s.text, s.statement_class, s.features, s.functions, count(*) AS calls,
                   coalesce(sum(e.source_micros), 0)::bigint AS micros, coalesce(sum(e.rows), 0)::bigint AS rows,
                   count(e.sqlstate) AS errors
            FROM %s WHERE s.functions && $1::text[]
            GROUP BY e.fingerprint, s.text, s.statement_class, s.features, s.functions
            ORDER BY calls DESC, e.fingerprint""".formatted(WITH_STATEMENT);

    private final Pool store;

    WorkloadReader(Pool store) {
        this.store = store;
    }

    Future<WorkloadProfile> read() {
        return rows(TOTALS, Tuple.tuple(), row -> row).compose(totals -> {
            Row total = totals.get(0);
            OffsetDateTime first = total.getOffsetDateTime("first");
            OffsetDateTime last = total.getOffsetDateTime("last");
            long bucket = bucketSeconds(first, last);
            var mix = rows(MIX, Tuple.tuple(), r -> new ClassMix(r.getString("statement_class"), r.getLong("calls"),
                    r.getLong("micros")));
            var protocols = rows(PROTOCOLS, Tuple.tuple(), r -> r);
            var byTime = rows(STATEMENTS.formatted("micros"), Tuple.tuple(), WorkloadReader::statement);
            var byCalls = rows(STATEMENTS.formatted("calls"), Tuple.tuple(), WorkloadReader::statement);
            var load = rows(LOAD, Tuple.of((double) bucket), r -> new LoadPoint(r.getOffsetDateTime("bucket"),
                    r.getLong("calls"), r.getLong("writes"), r.getLong("micros"), r.getLong("sessions")));
            var peak = rows(PEAK_SESSIONS, Tuple.tuple(), r -> r.getInteger("peak"));
            var transactions = rows(TRANSACTIONS, Tuple.tuple(), r -> new Transactions(r.getLong("count"),
                    r.getDouble("mean"), r.getDouble("p95"), r.getLong("max"), r.getDouble("statements")));
            var behaviour = rows(BEHAVIOUR, Tuple.tuple(), r -> r);
            var functions = rows(FUNCTIONS, Tuple.tuple(), r -> new FunctionUse(r.getString("name"),
                    r.getLong("statements"), r.getLong("calls"), "unknown"));
            var errors = rows(ERRORS, Tuple.tuple(), r -> r);
            return Future.all(List.of(mix, protocols, byTime, byCalls, load, peak, transactions, behaviour, functions,
                    errors)).map(done -> {
                        long reads = count(mix.result(), "read");
                        long writes = count(mix.result(), "write") + count(mix.result(), "ddl");
                        return new WorkloadProfile(total.getLong("events"), total.getLong("dropped"),
                                total.getLong("sessions"), first, last, mix.result(), reads, writes,
                                reads + writes == 0 ? 0 : (double) reads / (reads + writes),
                                counts(protocols.result(), "protocol", "calls"), byTime.result(), byCalls.result(),
                                bucket, load.result(), peak.result().get(0), transactions.result().get(0),
                                counts(behaviour.result(), "behaviour", "sessions"), functions.result(),
                                counts(errors.result(), "sqlstate", "calls"));
                    });
        });
    }

    /** Every captured statement shape that calls one of these functions, most called first. */
    Future<List<StatementStats>> statementsCalling(List<String> functions) {
        if (functions.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        Tuple parameters = Tuple.tuple(List.of((Object) functions.toArray(String[]::new)));
        return rows(CALLING, parameters, WorkloadReader::statement);
    }

    private <T> Future<List<T>> rows(String sql, Tuple parameters, Function<Row, T> mapping) {
        return store.preparedQuery(sql).execute(parameters).map(set -> {
            List<T> mapped = new ArrayList<>(set.size());
            set.forEach(row -> mapped.add(mapping.apply(row)));
            return mapped;
        });
    }

    private static StatementStats statement(Row row) {
        long calls = row.getLong("calls");
        long micros = row.getLong("micros");
        return new StatementStats(row.getString("fingerprint"), row.getString("text"),
                row.getString("statement_class"), calls, micros, calls == 0 ? 0 : (double) micros / calls,
                row.getLong("rows"), row.getLong("errors"), Arrays.asList(row.getArrayOfStrings("features")),
                Arrays.asList(row.getArrayOfStrings("functions")));
    }

    /** The smallest round bucket width that draws the capture's span in about {@link #LOAD_POINTS} points. */
    static long bucketSeconds(OffsetDateTime first, OffsetDateTime last) {
        if (first == null || last == null) {
            return BUCKET_SECONDS[0];
        }
        long span = Math.max(1, Duration.between(first, last).toSeconds());
        for (long width : BUCKET_SECONDS) {
            if (span / width <= LOAD_POINTS) {
                return width;
            }
        }
        return BUCKET_SECONDS[BUCKET_SECONDS.length - 1];
    }

    private static long count(List<ClassMix> mix, String statementClass) {
        return mix.stream().filter(m -> m.statementClass().equals(statementClass)).mapToLong(ClassMix::calls).sum();
    }

    private static Map<String, Long> counts(List<Row> rows, String key, String value) {
        Map<String, Long> counts = new LinkedHashMap<>();
        rows.stream().filter(row -> row.getLong(value) > 0)
                .forEach(row -> counts.put(row.getString(key), row.getLong(value)));
        return counts;
    }
}
