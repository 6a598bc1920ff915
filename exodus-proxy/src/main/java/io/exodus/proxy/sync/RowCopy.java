package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Supplier;

/**
 * The rows of every table under the slot's snapshot (or, resuming, under snapshots of their own), {@code parallel}
 * jobs at a time: each copier takes the next job when it is done with one, a whole table or a part of a large one
 * ({@link TableSplit}), in the order planned (largest tables first). A split table is emptied before any copier
 * takes a job, and counts as copied when its last part is loaded. The first failure stops the others taking new jobs.
 */
final class RowCopy {
    private RowCopy() {
    }

    /**
     * @param slotSnapshot the snapshot the slot exported; null when it is gone (see {@link TableCopier#open}), and
     *                     then every job is a whole table
     * @param jobs         the tables that hold rows, whole or in parts
     * @param beforeEach   asked before each job: a failure stops the copy once the jobs under way end (each commits
     *                     on its own or not at all)
     */
    static Future<Void> run(RawConnections connections, String slotSnapshot, List<TablePart> jobs, int parallel,
            SyncProgress progress, Supplier<Future<Void>> beforeEach) {
        if (jobs.isEmpty()) {
            return Future.succeededFuture();
        }
        Queue<TablePart> waiting = new ArrayDeque<>(jobs);
        Map<String, Integer> partsLeft = new HashMap<>();
        List<SyncedTable> split = new ArrayList<>();
        for (TablePart part : jobs) {
            if (!part.whole() && partsLeft.merge(part.table().display(), 1, Integer::sum) == 1) {
                split.add(part.table());
                progress.split(part.table().display(), part.count());
            }
        }
        List<Future<TableCopier>> opening = new ArrayList<>();
        for (int i = 0; i < Math.min(parallel, jobs.size()); i++) {
            opening.add(TableCopier.open(connections, slotSnapshot, progress));
        }
        return Future.join(opening).transform(opened -> {
            List<TableCopier> copiers = opening.stream().filter(Future::succeeded).map(Future::result).toList();
            if (opened.failed()) {
                copiers.forEach(TableCopier::close);
                return Future.failedFuture(opening.stream().filter(Future::failed).findFirst().orElseThrow().cause());
            }
            Future<Void> emptied = split.isEmpty() ? Future.succeededFuture() : copiers.get(0).empty(split);
            return emptied.compose(v -> {
                boolean[] failed = {false};
                List<Future<Void>> running = new ArrayList<>();
                for (TableCopier copier : copiers) {
                    Promise<Void> done = Promise.promise();
                    next(copier, waiting, partsLeft, failed, done, beforeEach);
                    running.add(done.future());
                }
                return Future.join(running).<Void>mapEmpty().recover(failure -> {
                    for (Future<Void> copier : running) {
                        if (copier.failed()) {
                            return Future.failedFuture(copier.cause());
                        }
                    }
                    return Future.failedFuture(failure);
                });
            }).onComplete(v -> copiers.forEach(TableCopier::close));
        });
    }

    private static void next(TableCopier copier, Queue<TablePart> waiting, Map<String, Integer> partsLeft,
            boolean[] failed, Promise<Void> done, Supplier<Future<Void>> beforeEach) {
        TablePart job = failed[0] ? null : waiting.poll();
        if (job == null) {
            done.tryComplete();
            return;
        }
        Future<Void> copied = beforeEach.get().compose(checked -> job.whole() ? copier.copy(job.table())
                : copier.copyPart(job).compose(v -> {
                    // The copiers run on one event loop: the count needs no lock.
                    int left = partsLeft.merge(job.table().display(), -1, Integer::sum);
                    return left == 0 ? copier.recordCopied(job.table()) : Future.<Void>succeededFuture();
                }));
        copied.onSuccess(v -> next(copier, waiting, partsLeft, failed, done, beforeEach)).onFailure(failure -> {
            failed[0] = true;
            done.tryFail(failure);
        });
    }
}
