package io.exodus.proxy.strategy;

import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.fleet.FleetCounters;
import io.exodus.proxy.fleet.ReplicaCounters;
import io.exodus.proxy.metrics.ReadsBySide;
import io.vertx.core.Future;

import java.util.Locale;
import java.util.Map;

/**
 * Whether a strategy's step is healthy: no divergence since it began, the replay queue short, the target's reads
 * as good as the source's (error rate, mean time), and in a shadow step no more mismatches than allowed. Judged over the
 * whole fleet: every replica's counters, as {@link FleetCounters} sums them. After the cutover the source answers no
 * reads: the target is then compared with what the source did in the step before.
 */
final class HealthGates {
    /**
     * Where a step began.
     *
     * @param at        each replica's counters then
     * @param reference the source's reads in the step before, the yardstick once the source answers none
     */
    record Baseline(Map<String, ReplicaCounters> at, ReadsBySide.Tally reference) {
    }

    private final ExodusConfig.Strategy config;
    private final FleetCounters counters;
    private final CatchUpApplier replayer;

    HealthGates(ExodusConfig.Strategy config, FleetCounters counters, CatchUpApplier replayer) {
        this.config = config;
        this.counters = counters;
        this.replayer = replayer;
    }

    Future<Baseline> begin(Baseline previous) {
        return counters.fleet().map(now -> {
            ReadsBySide.Tally reference = new ReadsBySide.Tally(0, 0, 0);
            if (previous != null) {
                reference = FleetCounters.since(now, previous.at()).source();
                if (reference.reads() < config.minReads()) {
                    reference = previous.reference();
                }
            }
            return new Baseline(now, reference);
        });
    }

    /** Reads the gates; {@code shadowStep}: the step compares reads, and its mismatches are a gate too. */
    Future<GateReading> read(Baseline since, boolean shadowStep) {
        Future<Long> depth = replayer.active() ? replayer.status().map(status -> status.depth())
                : Future.succeededFuture(0L);
        return depth.compose(queued -> counters.fleet().map(now -> judge(since, FleetCounters.since(now, since.at()),
                queued, shadowStep)));
    }

    private GateReading judge(Baseline since, ReplicaCounters step, long queued, boolean shadowStep) {
        long compared = shadowStep ? step.shadowCompared() : 0;
        long mismatched = shadowStep ? step.shadowMismatches() : 0;
        double diverged = step.divergences();
        ReadsBySide.Tally target = step.target();
        ReadsBySide.Tally source = step.source();
        if (source.reads() < config.minReads() && since.reference().reads() >= config.minReads()) {
            source = since.reference();
        }
        Double ratio = target.reads() >= config.minReads() && source.reads() >= config.minReads()
                && source.meanMillis() > 0 ? target.meanMillis() / source.meanMillis() : null;
        String failure = null;
        if (mismatched > config.maxShadowMismatches()) {
            failure = mismatched + " of the " + compared + " reads compared on both databases had different answers "
                    + "(exodus.strategy.max-shadow-mismatches allows " + config.maxShadowMismatches()
                    + "; GET /exodus/migration lists them under shadow.recent)";
        } else if (diverged > 0) {
            failure = String.format(Locale.ROOT, "%.0f divergences since the step began (GET /exodus/migration lists "
                    + "them)", diverged);
        } else if (queued > config.maxQueueDepth()) {
            failure = "the replay queue holds " + queued + " transactions (more than exodus.strategy.max-queue-depth, "
                    + config.maxQueueDepth() + "): the target misses writes";
        } else if (target.failed() > 0 && target.errorRate() - source.errorRate() > config.maxErrorRate()) {
            failure = String.format(Locale.ROOT, "%.1f %% of the target's %d reads failed, against %.1f %% of the "
                    + "source's (exodus.strategy.max-error-rate allows %.1f points more)", 100 * target.errorRate(),
                    target.reads(), 100 * source.errorRate(), 100 * config.maxErrorRate());
        } else if (ratio != null && ratio > config.maxLatencyRatio()) {
            failure = String.format(Locale.ROOT, "the target's reads took %.2f ms on average, %.1f times the source's "
                    + "%.2f ms (exodus.strategy.max-latency-ratio is %.1f)", target.meanMillis(), ratio,
                    source.meanMillis(), config.maxLatencyRatio());
        }
        return new GateReading(diverged, queued, target.reads(), target.errorRate(), source.errorRate(), ratio,
                compared, mismatched, failure);
    }
}
