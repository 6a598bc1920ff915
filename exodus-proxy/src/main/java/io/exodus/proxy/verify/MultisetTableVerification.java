package io.exodus.proxy.verify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a table without a primary key as a multiset of rows: bucket checksums by md5 prefix on both databases (one
 * read of the table each), then the distinct rows of the differing buckets, a batch of buckets per read, then
 * re-checks of the rows that differ.
 */
final class MultisetTableVerification {
    /** A batch of differing buckets is read at once until it holds this many bisection thresholds of rows. */
    private static final int THRESHOLDS_PER_BATCH = 10;

    private final BothSides databases;
    private final Sides<MultisetSql> sql;
    private final long threshold;
    private final long estimatedRows;
    private final TableProgress progress;
    private final PendingDifferences pending;

    MultisetTableVerification(BothSides databases, Sides<MultisetSql> sql, long threshold, long estimatedRows,
            Recheck recheck, TableProgress progress) {
        this.databases = databases;
        this.sql = sql;
        this.threshold = threshold;
        this.estimatedRows = estimatedRows;
        this.progress = progress;
        this.pending = new PendingDifferences(recheck, this::lookAgain, progress, PendingDifferences.BATCH);
    }

    Future<Void> run() {
        int digits = BucketDigits.forRows(estimatedRows, threshold);
        return databases.both(side -> sql.of(side).buckets(digits)).compose(read -> {
            Map<String, RangeChecksum> source = buckets(read.source());
            Map<String, RangeChecksum> target = buckets(read.target());
            progress.counted(total(source), total(target));
            Set<String> all = new LinkedHashSet<>(source.keySet());
            all.addAll(target.keySet());
            List<List<String>> batches = new ArrayList<>();
            List<Long> batchSourceRows = new ArrayList<>();
            List<String> batch = new ArrayList<>();
            long batchRows = 0;
            long batchSource = 0;
            for (String bucket : all) {
                RangeChecksum onSource = source.getOrDefault(bucket, RangeChecksum.EMPTY);
                RangeChecksum onTarget = target.getOrDefault(bucket, RangeChecksum.EMPTY);
                if (onSource.sameRowsAs(onTarget)) {
                    progress.checked(onSource.rows());
                    continue;
                }
                batch.add(bucket);
                batchRows += Math.max(onSource.rows(), onTarget.rows());
                batchSource += onSource.rows();
                if (batchRows >= threshold * THRESHOLDS_PER_BATCH) {
                    batches.add(batch);
                    batchSourceRows.add(batchSource);
                    batch = new ArrayList<>();
                    batchRows = 0;
                    batchSource = 0;
                }
            }
            if (!batch.isEmpty()) {
                batches.add(batch);
                batchSourceRows.add(batchSource);
            }
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < batches.size(); i++) {
                indexes.add(i);
            }
            return InOrder.each(indexes, i -> compareBuckets(digits, batches.get(i), batchSourceRows.get(i)));
        }).compose(done -> pending.flush());
    }

    private Future<Void> compareBuckets(int digits, List<String> buckets, long sourceRows) {
        return databases.both(side -> sql.of(side).rowsInBuckets(digits, buckets)).compose(read -> {
            progress.checked(sourceRows);
            return pending.add(MultisetComparison.differences(sql.source().countedRows(read.source()),
                    sql.target().countedRows(read.target())));
        });
    }

    private Future<List<RowDifference>> lookAgain(List<RowDifference> differences) {
        List<String> md5s = differences.stream().map(RowDifference::rowMd5).toList();
        return databases.both(side -> sql.of(side).rowsWithHashes(md5s))
                .map(read -> MultisetComparison.differences(sql.source().countedRows(read.source()),
                        sql.target().countedRows(read.target())));
    }

    private static Map<String, RangeChecksum> buckets(RowSet<Row> rows) {
        Map<String, RangeChecksum> buckets = new LinkedHashMap<>();
        for (Row row : rows) {
            buckets.put(row.getString(0), new RangeChecksum(row.getLong(1), row.getString(2), row.getString(3)));
        }
        return buckets;
    }

    private static long total(Map<String, RangeChecksum> buckets) {
        return buckets.values().stream().mapToLong(RangeChecksum::rows).sum();
    }
}
