package io.exodus.proxy.monitoring;

/**
 * How far one reader of a database's WAL is behind that database, as {@link ReplicationLagQuery} read it.
 *
 * @param kind    what reads the WAL
 * @param name    the replication connection's {@code application_name} (the subscription's name for a logical
 *                subscriber, {@code cluster_name} or {@code walreceiver} for a physical standby), the slot's name, or
 *                {@value #SELF} when the database itself is a standby
 * @param bytes   WAL written but not yet replayed (a slot: not yet confirmed, so kept on disk); null when PostgreSQL
 *                does not know it yet, e.g. before a standby's first reply
 * @param seconds how long ago the oldest WAL not yet replayed was written; null for a slot, or when PostgreSQL has
 *                not measured it
 * @param active  whether something reads the slot now (always true for a connection and a standby)
 * @param replayed     a connection's replay position (the least of its group), as bytes of WAL; null otherwise
 * @param replayBehind a connection received WAL it has not replayed yet: a second reading tells whether its replay
 *                     moves at all ({@link #replayStoodStill})
 */
public record ReplicationLag(Kind kind, String name, Long bytes, Double seconds, boolean active, Long replayed,
        boolean replayBehind) {

    /**
     * Whether this reading and a later one of the same connection show its replay standing still behind what it
     * received: paused ({@code pg_wal_replay_pause()}) or held by a conflict. PostgreSQL's {@code replay_lag} shows the
     * lag of the last position replayed, so it stays as small as it was until the replay moves again.
     */
    public boolean replayStoodStill(ReplicationLag later) {
        return replayBehind && later.replayBehind && replayed != null && replayed.equals(later.replayed);
    }
    /** The name of the reading of a database that is itself a standby. */
    public static final String SELF = "self";

    public enum Kind {
        /** The database is a standby; the lag is its own replay behind what it received from its primary. */
        STANDBY("standby"),
        /** A replication connection to the database ({@code pg_stat_replication}): a standby or a subscriber. */
        CONNECTION("connection"),
        /** A replication slot of the database ({@code pg_replication_slots}), read or not. */
        SLOT("slot");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }
}
