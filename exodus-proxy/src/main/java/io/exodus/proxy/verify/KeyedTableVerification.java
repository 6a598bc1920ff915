package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.List;

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

    KeyedTableVerification(BothSides databases, Sides<KeyedSql> sql, List<String> keyColumns, Bisection bisection,
            long segmentRows, Recheck recheck, TableProgress progress) {
        this.databases = databases;
        this.sql = sql;
        this.keyColumns = List.copyOf(keyColumns);
        this.bisection = bisection;
        this.segmentRows = segmentRows;
        this.progress = progress;
        this.pending = new PendingDifferences(recheck, this::lookAgain, progress, PendingDifferences.BATCH);
    }

    Future<Void> run() {
        return databases.on(Side.SOURCE, sql.source().boundaries(KeyRange.ALL, segmentRows))
                .compose(rows -> InOrder.each(KeyRange.ALL.split(keys(rows)), this::segment))
                .compose(done -> pending.flush());
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
