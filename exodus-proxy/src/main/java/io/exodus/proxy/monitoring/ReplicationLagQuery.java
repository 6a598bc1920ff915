package io.exodus.proxy.monitoring;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the replication lag of one PostgreSQL server: on a standby its own replay lag, on a primary the lag of every
 * replication connection ({@code pg_stat_replication}) and the WAL every replication slot holds back
 * ({@code pg_replication_slots}). Both views cover the whole server, so any database of it will do. Without
 * {@code pg_monitor} (or {@code pg_read_all_stats}) the connections of other users show no positions, and then no
 * lag: PostgreSQL hides them.
 */
public final class ReplicationLagQuery {
    static final String IN_RECOVERY = "SELECT pg_catalog.pg_is_in_recovery()";
    /** A standby that has replayed all it received is caught up, whatever the age of its last transaction. */
    static final String STANDBY = "SELECT greatest(pg_catalog.pg_wal_lsn_diff("
            + "pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn()), 0)::int8,"
            + " CASE WHEN pg_catalog.pg_last_wal_receive_lsn() <= pg_catalog.pg_last_wal_replay_lsn() THEN 0"
            + " ELSE extract(epoch FROM pg_catalog.now() - pg_catalog.pg_last_xact_replay_timestamp()) END::float8";
    /**
     * One row per application_name (physical standbys are all {@code walreceiver} unless they set one), the worst of
     * them. PostgreSQL shows no replay_lag once a replica has applied all it was sent: that is 0. A base backup
     * streams WAL too but is no replica.
     */
    static final String CONNECTIONS = "SELECT coalesce(nullif(application_name, ''), 'unnamed'),"
            + " max(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), replay_lsn))::int8,"
            + " max(coalesce(extract(epoch FROM replay_lag), CASE WHEN replay_lsn >= sent_lsn THEN 0 END))::float8,"
            + " min(pg_catalog.pg_wal_lsn_diff(replay_lsn, '0/0'))::int8, coalesce(bool_or(replay_lsn < flush_lsn), false)"
            + " FROM pg_catalog.pg_stat_replication WHERE state IS DISTINCT FROM 'backup' GROUP BY 1";
    /** A logical slot keeps the WAL from what its reader confirmed; a physical one from its restart_lsn. */
    static final String SLOTS = "SELECT slot_name, active,"
            + " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(),"
            + " coalesce(confirmed_flush_lsn, restart_lsn))::int8"
            + " FROM pg_catalog.pg_replication_slots";

    private final SqlClient client;

    public ReplicationLagQuery(SqlClient client) {
        this.client = client;
    }

    /** The server's own lag when it is a standby; otherwise one reading per replication connection and per slot. */
    public Future<List<ReplicationLag>> read() {
        return client.query(IN_RECOVERY).execute().compose(recovery -> recovery.iterator().next().getBoolean(0)
                ? client.query(STANDBY).execute().map(ReplicationLagQuery::standby)
                : client.query(CONNECTIONS).execute().compose(connections -> client.query(SLOTS).execute()
                        .map(slots -> primary(connections, slots))));
    }

    private static List<ReplicationLag> standby(RowSet<Row> rows) {
        Row row = rows.iterator().next();
        return List.of(new ReplicationLag(ReplicationLag.Kind.STANDBY, ReplicationLag.SELF, row.getLong(0),
                row.getDouble(1), true, null, false));
    }

    private static List<ReplicationLag> primary(RowSet<Row> connections, RowSet<Row> slots) {
        List<ReplicationLag> lags = new ArrayList<>(connections.size() + slots.size());
        for (Row row : connections) {
            lags.add(new ReplicationLag(ReplicationLag.Kind.CONNECTION, row.getString(0), row.getLong(1),
                    row.getDouble(2), true, row.getLong(3), row.getBoolean(4)));
        }
        for (Row row : slots) {
            lags.add(new ReplicationLag(ReplicationLag.Kind.SLOT, row.getString(0), row.getLong(2), null,
                    row.getBoolean(1), null, false));
        }
        return lags;
    }
}
