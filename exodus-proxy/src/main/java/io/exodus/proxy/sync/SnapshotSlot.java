package io.exodus.proxy.sync;

import io.exodus.proxy.backend.Leg;
import io.vertx.core.Future;

import java.util.List;

/**
 * The logical replication slot the sync streams from, and the snapshot the source exported when it made it: the
 * tables copied under that snapshot hold exactly the transactions that committed before the slot's consistent point,
 * and the slot yields exactly those that commit after it. The snapshot lives as long as the replication connection
 * that exported it stays idle, so it is {@link #release}d only once every copy has imported it.
 *
 * <p>The slot is permanent (not TEMPORARY) because the changes are read from it over other connections, with
 * {@code pg_logical_slot_peek_binary_changes}; the sync drops it when it ends either way.
 */
final class SnapshotSlot {
    private final Leg replication;
    private final String consistentPoint;
    private final String snapshot;

    private SnapshotSlot(Leg replication, String consistentPoint, String snapshot) {
        this.replication = replication;
        this.consistentPoint = consistentPoint;
        this.snapshot = snapshot;
    }

    static Future<SnapshotSlot> create(RawConnections connections) {
        return connections.sourceReplication().compose(leg -> LegQueries.rows(leg, "CREATE_REPLICATION_SLOT "
                + SyncNames.SLOT + " LOGICAL pgoutput EXPORT_SNAPSHOT").map(rows -> {
                    // slot_name, consistent_point, snapshot_name, output_plugin
                    List<String> row = rows.get(0);
                    return new SnapshotSlot(leg, row.get(1), row.get(2));
                }).onFailure(failure -> leg.close()));
    }

    String consistentPoint() {
        return consistentPoint;
    }

    String snapshot() {
        return snapshot;
    }

    void release() {
        replication.close();
    }
}
