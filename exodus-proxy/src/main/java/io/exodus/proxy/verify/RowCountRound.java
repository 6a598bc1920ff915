package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import io.exodus.proxy.config.ExodusConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One round of row counts over every table of a database: tables with triggers first; exact counts where the source's
 * planner estimates at most {@code count-exact-limit} rows, re-counted like differing rows are re-checked before a
 * difference is reported; the planners' estimates, said to be estimates, above.
 */
final class RowCountRound {
    private static final Logger LOG = Logger.getLogger(RowCountRound.class);

    private final String database;
    private final BothSides databases;
    private final ExodusConfig.Verify config;
    private final Vertx vertx;
    private final Instant startedAt = Instant.now();
    private final List<RowCount> counted = new ArrayList<>();
    private Instant finishedAt;
    private String state = "running";
    private volatile String error;

    private record Listed(TableName name, long estimate, boolean triggers, boolean partitioned) {
    }

    RowCountRound(String database, BothSides databases, ExodusConfig.Verify config, Vertx vertx) {
        this.database = database;
        this.databases = databases;
        this.config = config;
        this.vertx = vertx;
    }

    synchronized boolean running() {
        return finishedAt == null;
    }

    /** The state and the time together: whoever reads one sees the other. */
    private synchronized void finish(String how) {
        finishedAt = Instant.now();
        state = how;
    }

    Future<Void> run() {
        return databases.both(side -> new Statement(RowCountSql.TABLES, io.vertx.sqlclient.Tuple.tuple()))
                .compose(read -> {
                    Map<TableName, Listed> onTarget = listed(read.target());
                    return InOrder.each(new ArrayList<>(listed(read.source()).values()),
                            table -> count(table, onTarget.get(table.name())));
                })
                .eventually(databases::close)
                .onComplete(done -> {
                    if (done.failed()) {
                        error = "counting failed: " + done.cause().getMessage();
                        LOG.warnf("Row counts of \"%s\": %s", database, error);
                    }
                    long differing = report().differing();
                    finish(done.failed() ? "failed" : "done");
                    if (differing > 0) {
                        LOG.warnf("Row counts of \"%s\": %d tables hold other counts on the target than on the source "
                                + "(GET /exodus/migration/row-counts; POST /exodus/migration/verify finds the rows)",
                                database, differing);
                    } else if (done.succeeded()) {
                        LOG.infof("Row counts of \"%s\": %d tables, no exact count differs", database, counted.size());
                    }
                });
    }

    private Future<Void> count(Listed source, Listed target) {
        String table = source.name().toString();
        if (target == null) {
            add(new RowCount(table, source.triggers(), false, null, null, true,
                    "the table does not exist on the target"));
            return Future.succeededFuture();
        }
        if (source.estimate() > config.countExactLimit()) {
            add(new RowCount(table, source.triggers(), true, source.estimate(), target.estimate(), null, null));
            return Future.succeededFuture();
        }
        return exact(source, target, 0).map(counts -> {
            add(new RowCount(table, source.triggers(), false, counts.source(), counts.target(),
                    !counts.source().equals(counts.target()), null));
            return (Void) null;
        }).recover(failure -> {
            add(new RowCount(table, source.triggers(), false, null, null, null, failure.getMessage()));
            return Future.succeededFuture();
        });
    }

    /** Counts again, after the re-check delay, while the counts differ: writes in flight settle. */
    private Future<Sides<Long>> exact(Listed source, Listed target, int recount) {
        return databases.both(side -> new Statement(RowCountSql.count(source.name(),
                side == Side.SOURCE ? source.partitioned() : target.partitioned()), io.vertx.sqlclient.Tuple.tuple()))
                .compose(read -> {
                    Sides<Long> counts = new Sides<>(read.source().iterator().next().getLong(0),
                            read.target().iterator().next().getLong(0));
                    if (counts.source().equals(counts.target()) || recount >= config.recheckAttempts()) {
                        return Future.succeededFuture(counts);
                    }
                    Promise<Sides<Long>> again = Promise.promise();
                    vertx.setTimer(Math.max(1, config.recheckDelay().toMillis()),
                            id -> exact(source, target, recount + 1).onComplete(again));
                    return again.future();
                });
    }

    private static Map<TableName, Listed> listed(RowSet<Row> rows) {
        Map<TableName, Listed> listed = new LinkedHashMap<>();
        for (Row row : rows) {
            TableName name = new TableName(row.getString(0), row.getString(1));
            listed.put(name, new Listed(name, row.getLong(2), row.getBoolean(3), row.getBoolean(4)));
        }
        return listed;
    }

    private synchronized void add(RowCount count) {
        counted.add(count);
    }

    synchronized RowCountReport report() {
        long differing = counted.stream().filter(c -> Boolean.TRUE.equals(c.differs())).count();
        return new RowCountReport(state, database, startedAt.toString(),
                finishedAt == null ? null : finishedAt.toString(), differing, error, List.copyOf(counted));
    }
}
