package io.exodus.proxy.consistency;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The durable commit decisions of two-phase commits: a row {@code exodus.commit_decisions(gid)} written inside the
 * primary's transaction, so that it exists exactly when the primary committed. Recovery commits the secondary's
 * prepared half of a transaction when the row is there and rolls it back when it is not.
 *
 * <p>The table lives in each database clients write to, on the primary: the row must commit atomically with the
 * client's transaction, which cannot span databases. The primary is the source until the cutover and the target after
 * it, so each side may hold decisions: a transaction's gid says which side decided it ({@link GlobalTransactionIds}).
 */
public final class CommitDecisionLog {
    static final String TABLE = "exodus.commit_decisions";

    private static final Pattern SAFE_GID = Pattern.compile("exodus_[a-z0-9_]+");
    private static final String EXISTS = "SELECT to_regclass('exodus.commit_decisions') IS NOT NULL";
    /*
     * One implicit transaction (a simple query of several statements). The advisory lock serialises proxies that
     * create the table at once; without it, concurrent CREATE ... IF NOT EXISTS can fail on pg_namespace's or
     * pg_type's unique index. decided_at is the INSERT's statement time, not the transaction's start: the INSERT runs
     * just before PREPARE TRANSACTION, and purging by age must not take a long transaction's decision for an old one.
     * Clients' roles write the row inside their own transactions, hence the grant to PUBLIC.
     */
    private static final String CREATE = """
            SELECT pg_advisory_xact_lock(hashtext('exodus.commit_decisions'));
            CREATE SCHEMA IF NOT EXISTS exodus;
            CREATE TABLE IF NOT EXISTS exodus.commit_decisions (
                gid text PRIMARY KEY,
                decided_at timestamptz NOT NULL DEFAULT statement_timestamp());
            GRANT USAGE ON SCHEMA exodus TO PUBLIC;
            GRANT INSERT ON exodus.commit_decisions TO PUBLIC""";
    private static final String CONTAINS = "SELECT 1 FROM exodus.commit_decisions WHERE gid = $1";
    private static final String PURGE = "DELETE FROM exodus.commit_decisions"
            + " WHERE decided_at < statement_timestamp() - make_interval(secs => $1) AND gid <> ALL($2)";

    /** A database where a side holds the table. */
    record Ensured(Side side, String database) {
    }

    private final ControlConnections connections;
    private final BackendEndpoint source;
    private final BackendEndpoint target;
    private final Map<Ensured, Future<Void>> ensured = new ConcurrentHashMap<>();

    public CommitDecisionLog(ControlConnections connections, BackendEndpoint source, BackendEndpoint target) {
        this.connections = connections;
        this.source = source;
        this.target = target;
    }

    private BackendEndpoint endpoint(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    /** The INSERT to run inside the primary's transaction, just before PREPARE TRANSACTION. */
    public static String recordSql(String gid) {
        if (gid == null || !SAFE_GID.matcher(gid).matches()) {
            throw new IllegalArgumentException("Not an Exodus global transaction id: " + gid);
        }
        // The pattern leaves nothing to escape.
        return "INSERT INTO exodus.commit_decisions (gid) VALUES ('" + gid + "')";
    }

    /**
     * Creates the table in the primary's database if it is missing, once per side and database in this process; a
     * failure is not remembered, so the next call tries again.
     */
    public Future<Void> ensure(Side primary, String database) {
        Ensured key = new Ensured(primary, database);
        Future<Void> result = ensured.computeIfAbsent(key, this::create);
        result.onFailure(failure -> ensured.remove(key, result));
        return result;
    }

    private Future<Void> create(Ensured where) {
        var pool = connections.to(endpoint(where.side()), where.database());
        return pool.query(EXISTS).execute().compose(rows -> {
            if (rows.iterator().next().getBoolean(0)) {
                return Future.succeededFuture();
            }
            return pool.query(CREATE).execute().<Void>mapEmpty().recover(failure -> {
                // A CREATE of another client outside our advisory lock can still race ours; the second try sees it.
                return isUniqueViolation(failure) ? pool.query(CREATE).execute().mapEmpty() : Future.failedFuture(failure);
            });
        });
    }

    /**
     * Forgets the database and closes the connections to it, ahead of a {@code DROP DATABASE} that they would keep from
     * running; the next {@link #ensure} connects again.
     */
    public Future<Void> letGo(String database) {
        ensured.keySet().removeIf(where -> where.database().equals(database));
        return connections.close(database);
    }

    /** Where {@link #ensure} succeeded in this process: where this proxy writes decisions. */
    Set<Ensured> ensuredDatabases() {
        return ensured.entrySet().stream().filter(entry -> entry.getValue().succeeded()).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /** Whether the decision for the gid was to commit, that is whether its primary committed it. */
    public Future<Boolean> isCommitted(Side primary, String database, String gid) {
        return connections.to(endpoint(primary), database).preparedQuery(CONTAINS).execute(Tuple.of(gid))
                .map(rows -> rows.size() > 0)
                // No table: no proxy ever recorded a decision in this database.
                .recover(failure -> isUndefinedTable(failure) ? Future.succeededFuture(false)
                        : Future.failedFuture(failure));
    }

    /**
     * Deletes the primary's decisions older than the age, except those of transactions still prepared on the other
     * side: those are needed to resolve them. Returns how many rows went.
     */
    public Future<Integer> purgeOlderThan(Side primary, String database, Duration age) {
        return connections.to(endpoint(primary.other())).query(InDoubtTransactionResolver.PREPARED_EXODUS_GIDS)
                .execute()
                .compose(prepared -> {
                    List<String> needed = new ArrayList<>();
                    prepared.forEach(row -> needed.add(row.getString("gid")));
                    double seconds = age.toNanos() / 1e9;
                    return connections.to(endpoint(primary), database).preparedQuery(PURGE)
                            .execute(Tuple.tuple().addDouble(seconds).addArrayOfString(needed.toArray(String[]::new)));
                })
                .map(rows -> rows.rowCount())
                .recover(failure -> isUndefinedTable(failure) ? Future.succeededFuture(0)
                        : Future.failedFuture(failure));
    }

    private static boolean isUniqueViolation(Throwable failure) {
        return failure instanceof PgException pg && SqlState.UNIQUE_VIOLATION.equals(pg.getSqlState());
    }

    private static boolean isUndefinedTable(Throwable failure) {
        // 3F000 when the schema is missing too, on some versions.
        return failure instanceof PgException pg
                && (SqlState.UNDEFINED_TABLE.equals(pg.getSqlState()) || SqlState.INVALID_SCHEMA_NAME.equals(pg.getSqlState()));
    }
}
