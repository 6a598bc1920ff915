package io.exodus.proxy.cutover;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.fleet.FleetCounters;
import io.exodus.proxy.fleet.ReplicaCounters;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The cutover's error-rate gate: the target's reads since the phase became canary, over the whole fleet
 * ({@link FleetCounters}), failed no more often than the source's by more than
 * {@code exodus.migration.cutover.max-error-rate}. The fleet's counters are taken when this replica applies phase
 * canary; a replica that started in canary counts from the start of every replica. A strategy judges the same before its
 * cutover step, over each step; an operator's cutover is judged here.
 */
@ApplicationScoped
@Startup // made at start-up, so that it sees the first change to canary, not only those after its first use
public class CanaryErrorRate {
    private static final Logger LOG = Logger.getLogger(CanaryErrorRate.class);

    private final FleetCounters counters;
    private final ExodusConfig.Cutover config;
    /** Each replica's counters when the canary began here; empty before any. */
    private volatile Map<String, ReplicaCounters> atCanary = Map.of();

    public CanaryErrorRate(FleetCounters counters, ExodusConfig config, MigrationState migration) {
        this.counters = counters;
        this.config = config.migration().cutover();
        migration.onPhaseChange(phase -> {
            if (phase == MigrationPhase.CANARY) {
                counters.fleet().onSuccess(now -> atCanary = now).onFailure(failure -> LOG.warnf("The fleet's "
                        + "counters could not be read as the canary began (%s): the cutover's error-rate gate counts "
                        + "from each replica's start", failure.getMessage()));
            }
        });
    }

    /** Why the target's reads fail too often for a cutover, or empty. */
    Future<Optional<String>> problem() {
        double max = config.maxErrorRate();
        if (max < 0) {
            return Future.succeededFuture(Optional.empty());
        }
        return counters.fleet().map(now -> {
            ReplicaCounters canary = FleetCounters.since(now, atCanary);
            ReadsBySide.Tally target = canary.target();
            ReadsBySide.Tally source = canary.source();
            if (target.reads() < config.minReads() || target.failed() == 0
                    || target.errorRate() - source.errorRate() <= max) {
                return Optional.empty();
            }
            return Optional.of(String.format(Locale.ROOT, "%.1f %% of the target's %d reads since the canary began "
                    + "failed, against %.1f %% of the source's %d (exodus.migration.cutover.max-error-rate allows "
                    + "%.1f points more)", 100 * target.errorRate(), target.reads(), 100 * source.errorRate(),
                    source.reads(), 100 * max));
        });
    }
}
