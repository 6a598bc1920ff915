package io.exodus.proxy.strategy;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.control.StrategyRuns;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.shadow.ShadowReads;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
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
    private static final Logger LOG = Logger.getLogger(StrategyRunner.class);
    private final Vertx vertx;
    private final ExodusConfig.Strategy config;
    private final MigrationState migration;
    private final MigrationChanges changes;
    private final PrimarySwitch primarySwitch;
    private final BackendEndpoints endpoints;
    private final HealthGates gates;
    private final ShadowReads shadow;
    private final StrategyRuns runs;
    private final ObjectMapper json;
    private StrategyRun last;
    /** Guards {@link #lastSave} apart from this runner's lock, which a run's callbacks must not take. */
    private final Object saves = new Object();
    /** The fleet's record last written ({@link #record}). */
    private Future<Void> lastSave = Future.succeededFuture();

    public StrategyRunner(Vertx vertx, ExodusConfig config, MigrationState migration, MigrationChanges changes,
            PrimarySwitch primarySwitch, BackendEndpoints endpoints, DivergenceLog divergences,
            CatchUpApplier replayer, ReadsBySide reads, ShadowReads shadow, StrategyRuns runs, ObjectMapper json) {
        this.runs = runs;
        this.json = json;
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
     * The run to show: this replica's while it runs one; otherwise, with the control plane on, the fleet's last run
     * (another replica's, as of its last step) when it is newer than this replica's own.
     */
    public Future<Optional<StrategyProgress>> fleetProgress() {
        Optional<StrategyProgress> here = progress();
        if (!runs.shared() || here.map(StrategyProgress::running).orElse(false)) {
            return Future.succeededFuture(here);
        }
        return runs.last().map(fleet -> fleet.filter(run -> !run.replica().equals(runs.replicaId()))
                .map(run -> parsed(run.progress())).filter(run -> run != null && (here.isEmpty() || run.running()
                        || run.startedAt().isAfter(here.get().startedAt()))).or(() -> here))
                .otherwise(failure -> here);
    }

    private StrategyProgress parsed(String json) {
        try {
            return this.json.readValue(json, StrategyProgress.class);
        } catch (IOException e) {
            LOG.warnf("The fleet's strategy run could not be read (%s); showing this replica's", e.getMessage());
            return null;
        }
    }

    /**
     * The fleet's record of this replica's run, at each step and at its end; a failure is logged, the run goes on.
     * Each write waits for the one before: two sent at once (a rollback with nothing to roll back ends at once) may
     * reach the database over two pooled connections in either order, and the run's end must be the last word.
     */
    private void record(StrategyProgress progress) {
        if (!runs.shared()) {
            return;
        }
        String written;
        try {
            written = json.writeValueAsString(progress);
        } catch (IOException e) {
            LOG.warnf("The strategy run's progress could not be written as JSON: %s", e.getMessage());
            return;
        }
        synchronized (saves) {
            lastSave = lastSave.transform(before -> runs.save(written, progress.running())).onFailure(failure ->
                    LOG.warnf("The strategy run's progress could not be written to the control database: %s",
                            failure.getMessage()));
        }
    }

    /**
     * Starts {@code strategy} from the phase the migration is in; refused (nothing changed) when it cannot.
     *
     * @param tenants user-by-user's tenants in the order they move; empty for {@code exodus.strategy.tenants}
     */
    public Future<StrategyProgress> start(Strategy strategy, List<String> tenants, String who) {
        StrategyRun run;
        try {
            run = planned(strategy, tenants, who);
        } catch (StrategyRefused refused) {
            return Future.failedFuture(refused);
        }
        if (!runs.shared()) {
            return Future.succeededFuture(begin(run));
        }
        String progress;
        try {
            progress = json.writeValueAsString(run.progress());
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        return runs.claim(progress).recover(failure -> Future.failedFuture(failure instanceof StrategyRuns.RunElsewhere
                elsewhere ? refusedFor(elsewhere) : failure)).map(claimed -> begin(run));
    }

    private static StrategyRefused refusedFor(StrategyRuns.RunElsewhere elsewhere) {
        String replica = elsewhere.run() == null ? "another replica" : "replica " + elsewhere.run().replica();
        return new StrategyRefused("a strategy is running on " + replica + " of this fleet (GET /exodus/migration "
                + "there shows it); stop it there with {\"strategy\": \"none\"}, or wait for it to end");
    }

    private synchronized StrategyProgress begin(StrategyRun run) {
        refuseWhileOneRuns();
        last = run;
        last.start();
        return last.progress();
    }

    /** This replica runs one already (checked again once the fleet's record is claimed: a start may have raced). */
    private synchronized void refuseWhileOneRuns() {
        if (last != null && last.running()) {
            StrategyProgress running = last.progress();
            throw new StrategyRefused("strategy " + running.name() + " is running (step " + (running.step() + 1)
                    + " of " + running.steps().size() + "); stop it first with {\"strategy\": \"none\"}");
        }
    }

    private synchronized StrategyRun planned(Strategy strategy, List<String> tenants, String who) {
        refuseWhileOneRuns();
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
        return new StrategyRun(strategy, plan(strategy, tenants), who, vertx, config.soak(), config.checkInterval(),
                migration, changes, primarySwitch, gates, shadow, config.minReads(), runs.replicaId(), this::record);
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
