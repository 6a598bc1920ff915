package io.exodus.proxy.catchup;

import java.util.List;

/**
 * The replay queue as {@code GET /exodus/migration} shows it.
 *
 * @param depth             queued transactions waiting for the secondary, all databases
 * @param oldestAgeSeconds  age of the oldest of them
 * @param parked            entries the secondary refused {@code max-attempts} times (kept, not applied)
 * @param applied           transactions this proxy replayed since it started
 * @param failures          replay attempts that failed since it started (lost connections included)
 * @param divergentTables   tables marked divergent because a transaction the secondary missed could not be queued
 */
public record CatchUpStatus(long depth, double oldestAgeSeconds, long parked, long applied, long failures,
        List<DatabaseStatus> databases, List<String> divergentTables) {

    /**
     * @param home     the side whose database holds the queue ("source" or "target"): the primary of its transactions
     * @param queueing whether this database's transactions go to the queue now instead of the secondary
     */
    public record DatabaseStatus(String database, String home, long depth, long parked, double oldestAgeSeconds,
            boolean queueing) {
    }
}
