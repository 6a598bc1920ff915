package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * The rows of every table under the slot's snapshot (or, resuming, under snapshots of their own), {@code parallel}
 * tables at a time: each copier takes the next table (largest first) when it is done with one. The first failure
 * stops the others taking new tables.
 */
final class RowCopy {
    private RowCopy() {
    }

    /** @param slotSnapshot the snapshot the slot exported; null when it is gone (see {@link TableCopier#open}) */
    static Future<Void> run(RawConnections connections, String slotSnapshot, List<SyncedTable> tables, int parallel,
            SyncProgress progress) {
        Queue<SyncedTable> waiting = new ArrayDeque<>();
        tables.stream().filter(SyncedTable::holdsRows).forEach(waiting::add);
        if (waiting.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Future<Void>> copiers = new ArrayList<>();
        boolean[] failed = {false};
        for (int i = 0; i < Math.min(parallel, waiting.size()); i++) {
            copiers.add(TableCopier.open(connections, slotSnapshot, progress).compose(copier -> {
                Promise<Void> done = Promise.promise();
                next(copier, waiting, failed, done);
                return done.future().onComplete(v -> copier.close());
            }));
        }
        return Future.join(copiers).<Void>mapEmpty().recover(failure -> {
            for (Future<Void> copier : copiers) {
                if (copier.failed()) {
                    return Future.failedFuture(copier.cause());
                }
            }
            return Future.failedFuture(failure);
        });
    }

    private static void next(TableCopier copier, Queue<SyncedTable> waiting, boolean[] failed, Promise<Void> done) {
        SyncedTable table = failed[0] ? null : waiting.poll();
        if (table == null) {
            done.tryComplete();
            return;
        }
        copier.copy(table).onSuccess(v -> next(copier, waiting, failed, done)).onFailure(failure -> {
            failed[0] = true;
            done.tryFail(failure);
        });
    }
}
