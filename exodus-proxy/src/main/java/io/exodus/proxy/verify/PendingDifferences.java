package io.exodus.proxy.verify;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Differences a table's ranges turned up, waiting for their re-check. They are re-checked together, once this many
 * are waiting and when the table is done, so that differences scattered over many ranges (a target that missed a
 * tenth of the rows) cost a few re-check rounds, not a round per range.
 */
final class PendingDifferences {
    /** Bounds the memory a table's differences take, and the size of one re-check's lookup. */
    static final int BATCH = 10_000;

    private final Recheck recheck;
    private final Function<List<RowDifference>, Future<List<RowDifference>>> lookAgain;
    private final TableProgress progress;
    private final int batch;
    private List<RowDifference> waiting = new ArrayList<>();

    PendingDifferences(Recheck recheck, Function<List<RowDifference>, Future<List<RowDifference>>> lookAgain,
            TableProgress progress, int batch) {
        this.recheck = recheck;
        this.lookAgain = lookAgain;
        this.progress = progress;
        this.batch = batch;
    }

    Future<Void> add(List<RowDifference> found) {
        waiting.addAll(found);
        return waiting.size() >= batch ? flush() : Future.succeededFuture();
    }

    /** Whether every difference found so far is re-checked and counted: a range before this point is finished. */
    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** Re-checks what waits and reports what persists. */
    Future<Void> flush() {
        if (waiting.isEmpty()) {
            return Future.succeededFuture();
        }
        List<RowDifference> now = waiting;
        waiting = new ArrayList<>();
        return recheck.settle(now, lookAgain).map(outcome -> {
            progress.found(outcome);
            return null;
        });
    }
}
