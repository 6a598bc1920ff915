package io.exodus.proxy.fleet;

import io.exodus.proxy.metrics.ReadsBySide;

/**
 * What one replica counted from its start, the health gates' inputs: reported with each of its heartbeats, summed over
 * the fleet by the replica that runs a strategy or moves the primary ({@link FleetCounters}).
 *
 * @param divergences      divergences it counted
 * @param source           the reads the source answered for it
 * @param target           the reads the target answered for it
 * @param shadowCompared   reads it compared on both databases
 * @param shadowMismatches those whose answers differed
 */
public record ReplicaCounters(double divergences, ReadsBySide.Tally source, ReadsBySide.Tally target, long shadowCompared,
        long shadowMismatches) {
    public static final ReplicaCounters ZERO = new ReplicaCounters(0, new ReadsBySide.Tally(0, 0, 0),
            new ReadsBySide.Tally(0, 0, 0), 0, 0);

    /**
     * What it counted after {@code earlier}; all of it when there was none, or when a counter went back (the replica
     * restarted under the same id and counts from zero again).
     */
    public ReplicaCounters since(ReplicaCounters earlier) {
        if (earlier == null || divergences < earlier.divergences || source.reads() < earlier.source.reads()
                || target.reads() < earlier.target.reads() || shadowCompared < earlier.shadowCompared
                || shadowMismatches < earlier.shadowMismatches) {
            return this;
        }
        return new ReplicaCounters(divergences - earlier.divergences, source.since(earlier.source),
                target.since(earlier.target), shadowCompared - earlier.shadowCompared,
                shadowMismatches - earlier.shadowMismatches);
    }

    public ReplicaCounters plus(ReplicaCounters other) {
        return new ReplicaCounters(divergences + other.divergences, source.plus(other.source),
                target.plus(other.target), shadowCompared + other.shadowCompared,
                shadowMismatches + other.shadowMismatches);
    }
}
