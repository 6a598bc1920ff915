package io.exodus.proxy.catchup;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.HashSet;
import java.util.Set;

/**
 * This proxy's exclusive right to replay each database's queue: session-level advisory locks, all held by one
 * connection to the database the source's URL names. Not in the replayed database: a lock there showed in its
 * {@code pg_locks}, which its sessions would not see directly. When the connection ends, every lock goes with it,
 * and another proxy may take the queues over. Used on the replayer's event loop only.
 */
final class ReplayLocks {
    private final Vertx vertx;
    private final PgConnectOptions options;
    private final Set<String> held = new HashSet<>();
    private Future<SqlConnection> connection;

    ReplayLocks(Vertx vertx, PgConnectOptions options) {
        this.vertx = vertx;
        this.options = options;
    }

    /** Takes the lock of {@code database}'s queue if no other proxy holds it; true while this one does. */
    Future<Boolean> tryLock(String database) {
        if (held.contains(database)) {
            return Future.succeededFuture(true);
        }
        return connection().compose(open -> open.preparedQuery(CatchUpQueueSql.TRY_LOCK).execute(Tuple.of(database)))
                .map(rows -> {
                    boolean got = rows.iterator().next().getBoolean(0);
                    if (got) {
                        held.add(database);
                    }
                    return got;
                });
    }

    /** Gives up the lock of {@code database}'s queue (its replay stopped). */
    void unlock(String database) {
        if (held.remove(database) && connection != null && connection.succeeded()) {
            connection.result().preparedQuery(CatchUpQueueSql.UNLOCK).execute(Tuple.of(database));
        }
    }

    void close() {
        held.clear();
        if (connection != null && connection.succeeded()) {
            connection.result().close();
        }
        connection = null;
    }

    private Future<SqlConnection> connection() {
        if (connection == null || connection.failed()) {
            Future<SqlConnection> opening = PgConnection.connect(vertx, options).map(open -> {
                open.closeHandler(v -> {
                    held.clear();
                    connection = null;
                });
                return (SqlConnection) open;
            });
            connection = opening;
        }
        return connection;
    }
}
