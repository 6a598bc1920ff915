package io.exodus.proxy.catchup;

import io.exodus.proxy.wire.SqlState;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the transactions the secondary committed and the primary did not. Under the policies that queue, a live
 * transaction commits on the secondary first, with a marker naming the primary's transaction in the same query, and
 * then on the primary. A proxy stopped between the two COMMITs ({@code kill -9}, a lost host), or a primary COMMIT that
 * failed, leaves the transaction on the secondary alone: no client was told that it committed, and nothing can take it
 * back there. Each marker's primary transaction is looked up ({@code txid_status}) once it has ended: committed, the
 * marker is dropped (or kept for the queue entry that refers to it); rolled back, or too old or unknown to tell, the
 * transaction is reported as a {@code commit_failed} divergence and the tables it wrote are marked divergent, which
 * verification checks first and repair copies again from the primary (docs/replay.md). Any proxy may read any
 * marker; the one whose DELETE removes it reports it.
 */
final class CommitOutcomes {
    private static final Logger LOG = Logger.getLogger(CommitOutcomes.class);

    /** What is told of a transaction found on the secondary only. */
    interface Report {
        /** @param tables null when not known */
        void secondaryOnly(String database, long marker, long primaryXid, String outcome, List<String> tables);
    }

    /** @param tables null when not known (a policy that records no statements) */
    private record Marker(long id, long primaryXid, List<String> tables) {
    }

    private final CatchUpQueue queue;
    private final Report report;
    private final Set<String> reading = ConcurrentHashMap.newKeySet();
    private final Map<String, String> lastFailures = new ConcurrentHashMap<>();

    CommitOutcomes(CatchUpQueue queue, Report report) {
        this.queue = queue;
        this.report = report;
    }

    /**
     * Reads the database's markers whose primary transaction has ended. One read per database at a time; a database
     * without marker tables (never mirrored to, or from before they named the primary's transaction) has none.
     * Completes with whether markers may be left to read: some primary transactions had not ended, the batch was
     * full, or the read failed.
     */
    Future<Boolean> read(String database) {
        if (!reading.add(database)) {
            return Future.succeededFuture(true);
        }
        return unresolved(database)
                .compose(markers -> markers.isEmpty() ? Future.succeededFuture(false) : resolve(database, markers)
                        .map(ended -> ended < markers.size() || markers.size() >= CatchUpQueueSql.MARKERS_PER_READ))
                .onSuccess(left -> lastFailures.remove(database))
                .recover(failure -> {
                    boolean absent = failure instanceof PgException pg && (SqlState.UNDEFINED_TABLE.equals(
                            pg.getSqlState()) || SqlState.UNDEFINED_COLUMN.equals(pg.getSqlState()));
                    String why = absent ? null : failure.getMessage();
                    // Said once per database and cause: the read is tried again at every poll.
                    if (why != null && !why.equals(lastFailures.put(database, why))) {
                        LOG.warnf("Could not read the outcomes of the %s's commit markers of \"%s\" (tried again at "
                                + "each poll): %s", queue.homeSide().other().configName(), database, why);
                    }
                    return Future.succeededFuture(!absent);
                })
                .onComplete(done -> reading.remove(database));
    }

    private Future<List<Marker>> unresolved(String database) {
        return queue.connections().to(queue.destination(), database).query(CatchUpQueueSql.UNRESOLVED_MARKERS)
                .execute().map(rows -> {
                    List<Marker> markers = new ArrayList<>();
                    for (Row row : rows) {
                        String[] tables = row.getArrayOfStrings(2);
                        markers.add(new Marker(row.getLong(0), row.getLong(1),
                                tables == null ? null : List.of(tables)));
                    }
                    return markers;
                });
    }

    /** Completes with the number of markers whose primary transaction had ended. */
    private Future<Integer> resolve(String database, List<Marker> markers) {
        Long[] xids = markers.stream().map(Marker::primaryXid).toArray(Long[]::new);
        return queue.connections().to(queue.home(), database).preparedQuery(CatchUpQueueSql.OUTCOMES)
                .execute(Tuple.of(xids)).compose(rows -> {
                    Map<Long, String> outcomes = new HashMap<>();
                    for (Row row : rows) {
                        outcomes.put(row.getLong(0), row.getString(1));
                    }
                    List<Marker> committed = new ArrayList<>();
                    List<Marker> secondaryOnly = new ArrayList<>();
                    for (Marker marker : markers) {
                        String outcome = outcomes.get(marker.primaryXid());
                        if ("committed".equals(outcome)) {
                            committed.add(marker);
                        } else if (!"in progress".equals(outcome)) {
                            secondaryOnly.add(marker);
                        }
                    }
                    return Future.all(forgetCommitted(database, committed),
                            reportSecondaryOnly(database, secondaryOnly, outcomes))
                            .map(done -> committed.size() + secondaryOnly.size());
                });
    }

    private Future<Void> forgetCommitted(String database, List<Marker> committed) {
        if (committed.isEmpty()) {
            return Future.succeededFuture();
        }
        return queue.connections().to(queue.home(), database).query(CatchUpQueueSql.REFERENCED_MARKERS).execute()
                .compose(rows -> {
                    Set<Long> referenced = new HashSet<>();
                    rows.forEach(row -> referenced.add(row.getLong(0)));
                    Long[] forget = committed.stream().map(Marker::id).filter(id -> !referenced.contains(id))
                            .toArray(Long[]::new);
                    Long[] keep = committed.stream().map(Marker::id).filter(referenced::contains)
                            .toArray(Long[]::new);
                    var destination = queue.connections().to(queue.destination(), database);
                    return Future.all(
                            forget.length == 0 ? Future.succeededFuture() : destination
                                    .preparedQuery(CatchUpQueueSql.FORGET_COMMIT_MARKERS).execute(Tuple.of(forget)),
                            keep.length == 0 ? Future.succeededFuture() : destination
                                    .preparedQuery(CatchUpQueueSql.OUTCOME_READ).execute(Tuple.of(keep)))
                            .mapEmpty();
                });
    }

    /** Tables are marked before the marker goes, so that a proxy stopped in between leaves the marker to report. */
    private Future<Void> reportSecondaryOnly(String database, List<Marker> markers, Map<Long, String> outcomes) {
        if (markers.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Future<Void>> marks = new ArrayList<>();
        for (Marker marker : markers) {
            for (String table : marker.tables() == null ? List.<String>of() : marker.tables()) {
                marks.add(queue.markDivergent(database, table, "a transaction committed on the "
                        + queue.homeSide().other().configName() + " only: the " + queue.homeSide().configName()
                        + "'s transaction " + marker.primaryXid() + " " + outcomeText(outcomes.get(marker.primaryXid()))
                        + " after it (commit marker " + marker.id() + ")"));
            }
        }
        return Future.all(marks).compose(marked -> queue.connections().to(queue.destination(), database)
                .preparedQuery(CatchUpQueueSql.FORGET_COMMIT_MARKERS)
                .execute(Tuple.of(markers.stream().map(Marker::id).toArray(Long[]::new))))
                .map(deleted -> {
                    Set<Long> mine = new HashSet<>();
                    deleted.forEach(row -> mine.add(row.getLong(0)));
                    for (Marker marker : markers) {
                        if (mine.contains(marker.id())) {
                            report.secondaryOnly(database, marker.id(), marker.primaryXid(),
                                    outcomeText(outcomes.get(marker.primaryXid())), marker.tables());
                        }
                    }
                    return null;
                });
    }

    private static String outcomeText(String outcome) {
        return "aborted".equals(outcome) ? "rolled back" : "has an outcome nobody can tell any more";
    }
}
