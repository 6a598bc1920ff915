package io.exodus.proxy.monitoring;

import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.consistency.TwoPhaseRecovery;
import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.metrics.MetricsConfig;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.function.ToLongFunction;

/**
 * Where the migration stands, as gauges read whenever a registry publishes: {@code exodus.phase} (1, tagged with the
 * phase; also the heartbeat of the "proxy down" monitor), {@code exodus.policy} (1 for the policy new transactions
 * get, 0 for the others; {@code none} in phase direct, where no policy applies) and {@code exodus.twophase.in_doubt}
 * (the prepared transactions the last two-phase-commit recovery run could not finish; 0 while two-phase commit has
 * never been used), the counter {@code exodus.twophase.recovered{endpoint,action}} (halves of in-doubt transactions
 * recovery finished on the source or the target, committed or rolled back), and the replay queue's
 * {@code exodus.replay.depth}, {@code .oldest_age},
 * {@code .parked}, {@code .applied} and {@code .failures}. Nothing is registered with {@code exodus.metrics.enabled=false}.
 */
@Singleton
public class MigrationGauges {
    private final MetricsConfig config;
    private final MeterRegistry registry;
    private final MigrationState migration;
    private final TwoPhaseRecovery recovery;
    private final CatchUpApplier replayer;

    MigrationGauges(MetricsConfig config, MeterRegistry registry, MigrationState migration, TwoPhaseRecovery recovery,
            CatchUpApplier replayer) {
        this.replayer = replayer;
        this.config = config;
        this.registry = registry;
        this.migration = migration;
        this.recovery = recovery;
    }

    private void recoveredCounter(String endpoint, String action,
            ToLongFunction<TwoPhaseRecovery> count) {
        FunctionCounter.builder(ExodusMeters.TWO_PHASE_RECOVERED, recovery,
                        r -> count.applyAsLong(r))
                .description("Halves of in-doubt two-phase transactions that recovery finished")
                .tag(ExodusMeters.TAG_ENDPOINT, endpoint)
                .tag(ExodusMeters.TAG_ACTION, action)
                .register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        // Both change at run time: one series per value, 1 for the current one.
        for (MigrationPhase phase : MigrationPhase.values()) {
            Gauge.builder(ExodusMeters.PHASE, migration, state -> state.phase() == phase ? 1 : 0)
                    .description("1 for the migration phase the proxy is in, 0 for the others")
                    .tag(ExodusMeters.TAG_PHASE, phase.configName())
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder(ExodusMeters.POLICY, migration, state -> state.phase().writesBothDatabases() ? 0 : 1)
                .description("1 for the consistency policy new transactions get, 0 for the others")
                .tag(ExodusMeters.TAG_POLICY, ExodusMeters.POLICY_NONE)
                .strongReference(true)
                .register(registry);
        for (ConsistencyPolicy policy : ConsistencyPolicy.values()) {
            Gauge.builder(ExodusMeters.POLICY, migration,
                    state -> state.phase().writesBothDatabases() && state.policy() == policy ? 1 : 0)
                    .description("1 for the consistency policy new transactions get, 0 for the others")
                    .tag(ExodusMeters.TAG_POLICY, policy.configName())
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder(ExodusMeters.CANARY_PERCENT, migration, MigrationState::canaryPercent)
                .description("Share of reads outside transactions that go to the target").strongReference(true)
                .register(registry);
        // Always there (0 in phase direct, where nothing is queued), so that the monitors find them.
        Gauge.builder(ExodusMeters.REPLAY_DEPTH, replayer, r -> r.depth())
                .description("Transactions queued for the secondary, all databases").strongReference(true)
                .register(registry);
        Gauge.builder(ExodusMeters.REPLAY_OLDEST_AGE, replayer, r -> r.oldestAgeSeconds())
                .description("Age of the oldest queued transaction").baseUnit("seconds").strongReference(true)
                .register(registry);
        Gauge.builder(ExodusMeters.REPLAY_PARKED, replayer, r -> r.parked())
                .description("Queue entries parked after too many failed attempts").strongReference(true)
                .register(registry);
        FunctionCounter.builder(ExodusMeters.REPLAY_APPLIED, replayer,
                r -> r.appliedCount()).description("Transactions replayed to the secondary").register(registry);
        FunctionCounter.builder(ExodusMeters.REPLAY_FAILURES, replayer,
                r -> r.failureCount()).description("Failed replay attempts").register(registry);
        // Before the cutover the source's halves are only rolled back (it decides); after it, the target's.
        recoveredCounter(ExodusMeters.ENDPOINT_SOURCE, "rolled_back", twoPhase -> twoPhase.recovered(Side.SOURCE, false));
        recoveredCounter(ExodusMeters.ENDPOINT_SOURCE, "committed", twoPhase -> twoPhase.recovered(Side.SOURCE, true));
        recoveredCounter(ExodusMeters.ENDPOINT_TARGET, "committed", twoPhase -> twoPhase.recovered(Side.TARGET, true));
        recoveredCounter(ExodusMeters.ENDPOINT_TARGET, "rolled_back", twoPhase -> twoPhase.recovered(Side.TARGET, false));
        Gauge.builder(ExodusMeters.TWO_PHASE_IN_DOUBT, recovery, twoPhase -> twoPhase.unresolved().size())
                .description("Prepared transactions the last two-phase-commit recovery run could not finish")
                .strongReference(true)
                .register(registry);
    }
}
