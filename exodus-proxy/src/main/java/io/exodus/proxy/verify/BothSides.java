package io.exodus.proxy.verify;

import io.exodus.canonical.CanonicalSettings;

import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Verification's one session on each database, with {@link CanonicalSettings} in force. A query meant for both is
 * sent to both at once, so that the two read the range as close in time as they can.
 */
final class BothSides {
    private final Sides<SqlConnection> connections;
    private final Sides<Throttle> throttles;

    BothSides(SqlConnection source, SqlConnection target, Sides<Throttle> throttles) {
        this.connections = new Sides<>(source, target);
        this.throttles = throttles;
    }

    /** Runs a statement, then waits as long as the cap on this database's time asks. */
    Future<RowSet<Row>> on(Side side, Statement statement) {
        long started = System.nanoTime();
        return connections.of(side).preparedQuery(statement.sql()).execute(statement.parameters())
                .compose(rows -> throttles.of(side).after(System.nanoTime() - started).map(rows));
    }

    /** Statements without parameters sent as one simple query: one implicit transaction. */
    Future<Void> script(Side side, String sql) {
        return connections.of(side).query(sql).execute().mapEmpty();
    }

    /** The pauses the cap on the databases' time made so far, on both. */
    long pauses() {
        return throttles.source().pauses() + throttles.target().pauses();
    }

    /** Their length, summed over both databases (paused at the same time, mostly). */
    long pausedMillis() {
        return throttles.source().pausedMillis() + throttles.target().pausedMillis();
    }

    Future<Sides<RowSet<Row>>> both(Function<Side, Statement> statement) {
        Future<RowSet<Row>> source = on(Side.SOURCE, statement.apply(Side.SOURCE));
        Future<RowSet<Row>> target = on(Side.TARGET, statement.apply(Side.TARGET));
        return Future.all(source, target).map(done -> new Sides<>(source.result(), target.result()));
    }

    /** Runs {@code work} in a transaction on one side: committed when it succeeds, rolled back when it fails. */
    <T> Future<T> inTransaction(Side side, Supplier<Future<T>> work) {
        return connections.of(side).begin().compose(transaction -> work.get()
                .compose(done -> transaction.commit().map(done),
                        failure -> transaction.rollback().transform(rolledBack -> Future.<T>failedFuture(failure))));
    }

    /**
     * Runs {@code work} in a transaction on one side that only reads and locks there: the locks are held until
     * {@code work} is done, then the transaction is rolled back, whatever the outcome.
     */
    <T> Future<T> holdingLocks(Side side, Supplier<Future<T>> work) {
        return connections.of(side).begin().compose(transaction -> work.get()
                .transform(done -> transaction.rollback().transform(rolledBack -> done.succeeded()
                        ? Future.succeededFuture(done.result()) : Future.<T>failedFuture(done.cause()))));
    }

    TableCatalog catalog(Side side) {
        return new TableCatalog(connections.of(side));
    }

    Future<Void> close() {
        return Future.join(connections.source().close(), connections.target().close()).mapEmpty();
    }
}
