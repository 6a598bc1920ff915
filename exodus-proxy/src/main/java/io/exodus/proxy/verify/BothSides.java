package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * Verification's one session on each database, with {@link CanonicalSettings} in force. A query meant for both is
 * sent to both at once, so that the two read the range as close in time as they can.
 */
final class BothSides {
    private final Sides<SqlConnection> connections;

    BothSides(SqlConnection source, SqlConnection target) {
        this.connections = new Sides<>(source, target);
    }

    Future<RowSet<Row>> on(Side side, Statement statement) {
        return connections.of(side).preparedQuery(statement.sql()).execute(statement.parameters());
    }

    Future<Sides<RowSet<Row>>> both(Function<Side, Statement> statement) {
        Future<RowSet<Row>> source = on(Side.SOURCE, statement.apply(Side.SOURCE));
        Future<RowSet<Row>> target = on(Side.TARGET, statement.apply(Side.TARGET));
        return Future.all(source, target).map(done -> new Sides<>(source.result(), target.result()));
    }

    /** Runs {@code work} in a transaction on one side: committed when it succeeds, rolled back when it fails. */
    <T> Future<T> inTransaction(Side side, java.util.function.Supplier<Future<T>> work) {
        return connections.of(side).begin().compose(transaction -> work.get()
                .compose(done -> transaction.commit().map(done),
                        failure -> transaction.rollback().transform(rolledBack -> Future.<T>failedFuture(failure))));
    }

    TableCatalog catalog(Side side) {
        return new TableCatalog(connections.of(side));
    }

    Future<Void> close() {
        return Future.join(connections.source().close(), connections.target().close()).mapEmpty();
    }
}
