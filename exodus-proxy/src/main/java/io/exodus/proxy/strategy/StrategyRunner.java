package io.exodus.proxy.strategy;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.shadow.ShadowReads;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts and stops the strategies ({@code PUT /exodus/migration/strategy}) and keeps the last run for the status.
 * One run at a time, driven by the replica that received the request; its changes reach the fleet like an
 * operator's (see {@link MigrationChanges}).
 */
@ApplicationScoped
public class StrategyRunner {
    private final Vertx vertx;
    private final ExodusConfig.Strategy config;
    private final MigrationState migration;
    private final MigrationChanges changes;
    private final PrimarySwitch primarySwitch;
    private final BackendEndpoints endpoints;
    private final HealthGates gates;
    private final ShadowReads shadow;
    private StrategyRun last;

    public StrategyRunner(Vertx vertx, ExodusConfig config, MigrationState migration, MigrationChanges changes,
            PrimarySwitch primarySwitch, BackendEndpoints endpoints, DivergenceLog divergences,
            CatchUpApplier replayer, ReadsBySide reads, ShadowReads shadow) {
        this.vertx = vertx;
        this.config = config.strategy();
        this.migration = migration;
        this.changes = changes;
        this.primarySwitch = primarySwitch;
        this.endpoints = endpoints;
        this.shadow = shadow;
        this.gates = new HealthGates(this.config, divergences, replayer, reads, shadow);
    }

    public synchronized Optional<StrategyProgress> progress() {
        return Optional.ofNullable(last).map(StrategyRun::progress);
    }

    /**
     * Starts {@code strategy} from the phase the migration is in; refused (nothing changed) when it cannot.
     *
     * @param tenants user-by-user's tenants in the order they move; empty for {@code exodus.strategy.tenants}
     */
    public synchronized StrategyProgress start(Strategy strategy, List<String> tenants, String who) {
        if (last != null && last.running()) {
            StrategyProgress running = last.progress();
            throw new StrategyRefused("strategy " + running.name() + " is running (step " + (running.step() + 1)
                    + " of " + running.steps().size() + "); stop it first with {\"strategy\": \"none\"}");
        }
        if (endpoints.target().isEmpty()) {
            throw new StrategyRefused("no target is configured: set exodus.target.url (EXODUS_TARGET_URL) and restart "
                    + "the proxy");
        }
        MigrationPhase phase = migration.phase();
        if (phase != MigrationPhase.DUAL_WRITE && phase != MigrationPhase.CANARY) {
            throw new StrategyRefused("a strategy starts from phase dual-write or canary (the target receives every "
                    + "write and has the source's rows); the migration is in phase " + phase.configName()
                    + (phase == MigrationPhase.DIRECT ? ": bring the target up to date first (POST "
                            + "/exodus/migration/sync)" : ""));
        }
        last = new StrategyRun(strategy, plan(strategy, tenants), who, vertx, config.soak(), config.checkInterval(), migration,
                changes, primarySwitch, gates, shadow, config.minReads());
        last.start();
        return last.progress();
    }

    /**
     * Stops the running strategy where it is; the phase stays as its last step left it. Completes with its progress
     * once the step it was making has ended.
     */
    public synchronized Future<StrategyProgress> stop(String who, String why) {
        if (last == null || !last.running()) {
            throw new StrategyRefused("no strategy is running");
        }
        StrategyRun stopped = last;
        return stopped.stop(who, why).map(v -> stopped.progress());
    }

    private List<StrategyStep> plan(Strategy strategy, List<String> tenants) {
        List<StrategyStep> steps = new ArrayList<>();
        if (strategy == Strategy.SHADOW) {
            return List.of(StrategyStep.shadow());
        }
        if (strategy == Strategy.BLUE_GREEN) {
            steps.add(StrategyStep.shadow());
        }
        if (strategy == Strategy.CANARY) {
            canarySteps().forEach(percent -> steps.add(StrategyStep.canary(percent)));
        }
        if (strategy == Strategy.USER_BY_USER) {
            List<String> moved = tenants.isEmpty() ? config.tenants().orElse(List.of()) : tenants;
            if (moved.isEmpty()) {
                throw new StrategyRefused("strategy user-by-user names no tenants: give them in the order they move, "
                        + "{\"strategy\": \"user-by-user\", \"tenants\": [\"…\"]}, or in exodus.strategy.tenants; "
                        + "a session's tenant is its " + migration.tenantKey().configName()
                        + " (exodus.migration.tenant-key)");
            }
            for (String tenant : moved) {
                canarySteps().forEach(percent -> steps.add(StrategyStep.tenant(tenant, percent)));
            }
        }
        steps.add(StrategyStep.cutover());
        return steps;
    }

    private List<Double> canarySteps() {
        for (double percent : config.canarySteps()) {
            if (!(percent > 0 && percent <= 100)) {
                throw new StrategyRefused("exodus.strategy.canary-steps has " + percent + "; each step is a share "
                        + "of the reads above 0 and up to 100 (percent)");
            }
        }
        return config.canarySteps();
    }
}
