package io.exodus.proxy.metrics;

import io.exodus.proxy.migration.Side;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The reads of dual-write sessions outside transactions, counted by the database that answered them: how many, how
 * many failed, how long they took. A canary strategy compares the target's share with the source's over a step (error
 * rate, latency ratio) before it moves on. Kept apart from Micrometer's timers, which {@code exodus.metrics.enabled}
 * may turn off, and cheap enough for every read: three adders.
 */
@ApplicationScoped
public class ReadsBySide {
    /**
     * What one database answered from the start until a moment.
     *
     * @param reads  reads answered (or given up)
     * @param failed those answered with an error, or not at all
     * @param nanos  their summed time, from the request's write to its last ReadyForQuery
     */
    public record Tally(long reads, long failed, long nanos) {
        /** What happened between {@code earlier} and this one. */
        public Tally since(Tally earlier) {
            return new Tally(reads - earlier.reads, failed - earlier.failed, nanos - earlier.nanos);
        }

        /** Both together: what two replicas answered. */
        public Tally plus(Tally other) {
            return new Tally(reads + other.reads, failed + other.failed, nanos + other.nanos);
        }

        public double errorRate() {
            return reads == 0 ? 0 : (double) failed / reads;
        }

        public double meanMillis() {
            return reads == 0 ? 0 : nanos / 1e6 / reads;
        }
    }

    private final Map<Side, LongAdder[]> counters = new EnumMap<>(Side.class);

    public ReadsBySide() {
        for (Side side : Side.values()) {
            counters.put(side, new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
        }
    }

    public void answered(Side side, long startedNanos, boolean failed) {
        LongAdder[] adders = counters.get(side);
        adders[0].increment();
        if (failed) {
            adders[1].increment();
        }
        adders[2].add(System.nanoTime() - startedNanos);
    }

    public Tally tally(Side side) {
        LongAdder[] adders = counters.get(side);
        return new Tally(adders[0].sum(), adders[1].sum(), adders[2].sum());
    }
}
