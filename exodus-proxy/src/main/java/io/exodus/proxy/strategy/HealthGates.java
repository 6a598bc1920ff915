package io.exodus.proxy.strategy;

import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.shadow.ShadowReads;
import io.vertx.core.Future;

import java.util.Locale;

/**
 * Whether a strategy's step is healthy: no divergence since it began, the replay queue short, the target's reads
 * as good as the source's (error rate, mean time), and in a shadow step no more mismatches than allowed. After the cutover the source answers no reads: the target is then
 * compared with what the source did in the step before.
 */
final class HealthGates {
    /**
     * Where a step began.
     *
     * @param reference the source's reads in the step before, the yardstick once the source answers none
     */
    record Baseline(double divergences, ReadsBySide.Tally source, ReadsBySide.Tally target,
            ReadsBySide.Tally reference, long shadowCompared, long shadowMismatches) {
    }

    private final ExodusConfig.Strategy config;
    private final DivergenceLog divergences;
    private final CatchUpApplier replayer;
    private final ReadsBySide reads;
    private final ShadowReads shadow;

    HealthGates(ExodusConfig.Strategy config, DivergenceLog divergences, CatchUpApplier replayer, ReadsBySide reads,
            ShadowReads shadow) {
        this.config = config;
        this.divergences = divergences;
        this.replayer = replayer;
        this.reads = reads;
        this.shadow = shadow;
    }

    Baseline begin(Baseline previous) {
        ReadsBySide.Tally source = reads.tally(Side.SOURCE);
        ReadsBySide.Tally reference = previous == null ? new ReadsBySide.Tally(0, 0, 0) : source.since(previous.source());
        if (previous != null && reference.reads() < config.minReads()) {
            reference = previous.reference();
        }
        return new Baseline(divergences.total(), source, reads.tally(Side.TARGET), reference, shadow.compared(),
                shadow.mismatches());
    }

    /** Reads the gates; {@code shadowStep}: the step compares reads, and its mismatches are a gate too. */
    Future<GateReading> read(Baseline since, boolean shadowStep) {
        Future<Long> depth = replayer.active() ? replayer.status().map(status -> status.depth())
                : Future.succeededFuture(0L);
        return depth.map(queued -> judge(since, queued, shadowStep));
    }

    private GateReading judge(Baseline since, long queued, boolean shadowStep) {
        long compared = shadowStep ? shadow.compared() - since.shadowCompared() : 0;
        long mismatched = shadowStep ? shadow.mismatches() - since.shadowMismatches() : 0;
        double diverged = divergences.total() - since.divergences();
        ReadsBySide.Tally target = reads.tally(Side.TARGET).since(since.target());
        ReadsBySide.Tally source = reads.tally(Side.SOURCE).since(since.source());
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
