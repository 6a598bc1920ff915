package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Verifies a table with a primary key: cuts it into segments of about {@code segment-rows} source rows along the key,
 * compares each segment's checksum on both databases, and bisects the segments that differ until their rows are few
 * enough to compare one by one; the rows that differ are re-checked before they are reported.
 */
final class KeyedTableVerification {
    /** Past this depth a range is compared row by row whatever its size: rows came and went while it was cut. */
    private static final int MAX_DEPTH = 32;

    private final BothSides databases;
    private final Sides<KeyedSql> sql;
    private final List<String> keyColumns;
    private final Bisection bisection;
    private final long segmentRows;
    private final TableProgress progress;
    private final PendingDifferences pending;
    /** Segments whose differences may wait for their re-check before the progress is kept. */
    private static final int SEGMENTS_PER_SAVE = 10;

    private final KeyRange remaining;
    private int segmentsSinceSaved;
    private final Function<List<String>, Future<Void>> finishedBelow;

    /**
     * @param remaining     the part of the table to verify: all of it, or what an interrupted run left
     * @param finishedBelow told, after a segment, the key below which every range is finished and its differences
     *                      counted: where a restart may continue
     */
    KeyedTableVerification(BothSides databases, Sides<KeyedSql> sql, List<String> keyColumns, Bisection bisection,
            long segmentRows, Recheck recheck, TableProgress progress, KeyRange remaining,
            Function<List<String>, Future<Void>> finishedBelow) {
        this.remaining = remaining;
        this.finishedBelow = finishedBelow;
        this.databases = databases;
        this.sql = sql;
        this.keyColumns = List.copyOf(keyColumns);
        this.bisection = bisection;
        this.segmentRows = segmentRows;
        this.progress = progress;
        this.pending = new PendingDifferences(recheck, this::lookAgain, progress, PendingDifferences.BATCH);
    }

    Future<Void> run() {
        return databases.on(Side.SOURCE, sql.source().boundaries(remaining, segmentRows))
                .compose(rows -> InOrder.each(remaining.split(keys(rows)), segment -> segment(segment)
                        .compose(done -> finished(segment))))
                .compose(done -> pending.flush());
    }

    /**
     * Differences still waiting for their re-check are not counted yet: the ranges are finished once they are. They
     * are re-checked together for many segments (a re-check waits); at most every {@link #SEGMENTS_PER_SAVE}
     * segments, they are re-checked early so that the progress can be kept.
     */
    private Future<Void> finished(KeyRange segment) {
        segmentsSinceSaved++;
        if (segment.upper() == null || (!pending.isEmpty() && segmentsSinceSaved < SEGMENTS_PER_SAVE)) {
            return Future.succeededFuture();
        }
        return pending.flush().compose(counted -> {
            segmentsSinceSaved = 0;
            return finishedBelow.apply(segment.upper());
        });
    }

    private Future<Void> segment(KeyRange segment) {
        return checksums(segment).compose(sums -> {
            progress.counted(sums.source().rows(), sums.target().rows());
            return settle(segment, sums, 0);
        });
    }

    private Future<Void> settle(KeyRange range, Sides<RangeChecksum> sums, int depth) {
        Bisection.Step step = bisection.next(sums.source(), sums.target());
        if (step instanceof Bisection.Identical) {
            progress.checked(sums.source().rows());
            return Future.succeededFuture();
        }
        if (step instanceof Bisection.Split split && depth < MAX_DEPTH) {
            return databases.on(split.side(), sql.of(split.side()).boundaries(range, split.rowsPerPart()))
                    .compose(rows -> {
                        List<KeyRange> parts = range.split(keys(rows));
                        if (parts.size() < 2) {
                            return compareRows(range, sums);
                        }
                        return InOrder.each(parts, part -> checksums(part).compose(partSums ->
                                settle(part, partSums, depth + 1)));
                    });
        }
        return compareRows(range, sums);
    }

    private Future<Sides<RangeChecksum>> checksums(KeyRange range) {
        return databases.both(side -> sql.of(side).checksum(range))
                .map(read -> new Sides<>(checksum(read.source()), checksum(read.target())));
    }

    private Future<Void> compareRows(KeyRange range, Sides<RangeChecksum> sums) {
        return databases.both(side -> sql.of(side).rows(range)).compose(read -> {
            progress.checked(sums.source().rows());
            return pending.add(RowComparison.differences(keyColumns, sql.source().hashedRows(read.source()),
                    sql.target().hashedRows(read.target())));
        });
    }

    private Future<List<RowDifference>> lookAgain(List<RowDifference> differences) {
        List<List<String>> keys = differences.stream().map(d -> List.copyOf(d.key().values())).toList();
        return databases.both(side -> sql.of(side).rowsWithKeys(keys))
                .map(read -> RowComparison.differences(keyColumns, sql.source().hashedRows(read.source()),
                        sql.target().hashedRows(read.target())));
    }

    private static RangeChecksum checksum(RowSet<Row> rows) {
        Row row = rows.iterator().next();
        return new RangeChecksum(row.getLong(0), row.getString(1), row.getString(2));
    }

    private static List<List<String>> keys(RowSet<Row> rows) {
        List<List<String>> keys = new ArrayList<>(rows.size());
        for (Row row : rows) {
            List<String> key = new ArrayList<>(row.size());
            for (int i = 0; i < row.size(); i++) {
                key.add(row.getString(i));
            }
            keys.add(key);
        }
        return keys;
    }
}
