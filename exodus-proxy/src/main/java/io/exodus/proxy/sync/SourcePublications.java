package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The publications the slot decodes through, and their removal with the slot. Every synced table is named, the
 * partitions too (a request may name a partition without its root); a change arrives under the name of the
 * partition it happened in, which the target has too (its schema is the source's). A table without a key is published for inserts and truncates only: in a publication that publishes
 * updates and deletes, the source would refuse the application's updates and deletes of it.
 */
final class SourcePublications {
    private static final String DROP_SLOT = "SELECT active FROM pg_catalog.pg_replication_slots, "
            + "LATERAL (SELECT CASE WHEN NOT active THEN pg_catalog.pg_drop_replication_slot(slot_name) END) AS d "
            + "WHERE slot_name = $1";
    /** A replication connection just closed leaves its slot active until its WAL sender has exited. */
    private static final int DROP_TRIES = 50;
    private static final long DROP_RETRY_MILLIS = 100;

    private SourcePublications() {
    }

    static Future<Void> create(Pool source, List<SyncedTable> tables) {
        String keyed = list(tables, true);
        String unkeyed = list(tables, false);
        return source.query("CREATE PUBLICATION " + SyncNames.PUBLICATION + (keyed.isEmpty() ? "" : " FOR TABLE "
                + keyed)).execute()
                .compose(v -> source.query("CREATE PUBLICATION " + SyncNames.INSERT_ONLY_PUBLICATION
                        + (unkeyed.isEmpty() ? "" : " FOR TABLE " + unkeyed)
                        + " WITH (publish = 'insert, truncate')").execute())
                .mapEmpty();
    }

    private static String list(List<SyncedTable> tables, boolean keyed) {
        return tables.stream().filter(t -> t.keyed() == keyed).map(SyncedTable::qualified)
                .collect(Collectors.joining(", "));
    }

    /**
     * Drops the slot and both publications: what a sync, ended or crashed, left. A slot in use is waited for a few
     * seconds (the sync's own replication connection may be exiting), then left with an error: another sync runs.
     */
    static Future<Void> dropWithSlot(Vertx vertx, Pool source) {
        return dropSlot(vertx, source, 1)
                .compose(v -> source.query("DROP PUBLICATION IF EXISTS " + SyncNames.PUBLICATION + ", "
                        + SyncNames.INSERT_ONLY_PUBLICATION).execute())
                .mapEmpty();
    }

    private static Future<Void> dropSlot(Vertx vertx, Pool source, int attempt) {
        return source.preparedQuery(DROP_SLOT).execute(Tuple.of(SyncNames.SLOT)).compose(rows -> {
            boolean active = rows.size() > 0 && rows.iterator().next().getBoolean(0);
            if (!active) {
                return Future.succeededFuture();
            }
            if (attempt >= DROP_TRIES) {
                return Future.failedFuture(new IllegalStateException("the slot " + SyncNames.SLOT
                        + " is in use by another session"));
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(DROP_RETRY_MILLIS, id -> dropSlot(vertx, source, attempt + 1).onComplete(later));
            return later.future();
        });
    }
}
