package io.exodus.proxy.strategy;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.control.StrategyRuns;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.fleet.FleetCounters;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts and stops the strategies ({@code PUT /exodus/migration/strategy}) and keeps the last run for the status.
 * One run at a time for the fleet, driven by the replica that received the request, or by the one that took it over
 * when that replica stopped being live; its changes reach the fleet like an operator's (see {@link MigrationChanges}).
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
    private final StrategyRuns runs;
    private final Duration adoptInterval;
    private long adoptTimer = -1;
    /** A start is claiming the fleet's run: not a run to take over from this replica's predecessor. */
    private boolean starting;
    private final ObjectMapper json;
    private StrategyRun last;
    /** Guards {@link #lastSave} apart from this runner's lock, which a run's callbacks must not take. */
    private final Object saves = new Object();
    /** The fleet's record last written ({@link #record}). */
    private Future<Boolean> lastSave = Future.succeededFuture(true);

    public StrategyRunner(Vertx vertx, ExodusConfig config, MigrationState migration, MigrationChanges changes,
            PrimarySwitch primarySwitch, BackendEndpoints endpoints, FleetCounters counters, CatchUpApplier replayer,
            StrategyRuns runs, ObjectMapper json) {
        this.runs = runs;
        this.json = json;
        this.vertx = vertx;
        this.config = config.strategy();
        this.migration = migration;
        this.changes = changes;
        this.primarySwitch = primarySwitch;
        this.endpoints = endpoints;
        this.gates = new HealthGates(this.config, counters, replayer);
        this.adoptInterval = config.control().pollInterval();
    }

    /** With the control plane on, this replica looks for a run to take over every poll interval. */
    void onStart(@Observes StartupEvent event) {
        if (runs.shared()) {
            adoptTimer = vertx.setPeriodic(adoptInterval.toMillis(), id -> adoptOrphan());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (adoptTimer >= 0) {
            vertx.cancelTimer(adoptTimer);
        }
    }

    /**
     * Takes over the fleet's running strategy when the replica that ran it is no longer live (killed, cut off from the
     * control database, or shut down): the run survives its replica. Its progress and plan are in the control
     * database; the step it was at is made again and soaks afresh (docs/adr/0043).
     */
    private void adoptOrphan() {
        synchronized (this) {
            if (starting || (last != null && last.running())) {
                return;
            }
            starting = true;
        }
        runs.adopt().onComplete(adopted -> {
            synchronized (this) {
                starting = false;
                if (adopted.failed()) {
                    LOG.debugf("Could not look for a strategy run to take over: %s", adopted.cause().getMessage());
                    return;
                }
                adopted.result().ifPresent(this::resume);
            }
        });
    }

    private void resume(StrategyRuns.Orphan orphan) {
        StrategyProgress progress;
        List<StrategyStep> steps;
        try {
            progress = json.readValue(orphan.progress(), StrategyProgress.class);
            steps = List.of(json.readValue(orphan.plan(), StrategyStep[].class));
        } catch (IOException e) {
            LOG.errorf("The fleet's strategy run, taken over from replica %s, cannot be read (%s): it is ended "
                    + "here; GET /exodus/migration shows the phase it left", orphan.from(), e.getMessage());
            runs.save(orphan.progress(), false);
            return;
        }
        String from = orphan.from().equals(runs.replicaId()) ? orphan.from() + " (this replica, before it restarted)"
                : orphan.from();
        last = new StrategyRun(Strategy.fromConfig(progress.name()), steps, progress.startedBy(),
                progress.startedAt(), from, context());
        last.resume(progress.step(), progress.state().equals("rolling-back"));
    }

    private StrategyRun.Context context() {
        return new StrategyRun.Context(vertx, config, migration, changes, primarySwitch, gates, runs.replicaId(),
                this::record);
    }

    public synchronized Optional<StrategyProgress> progress() {
        return Optional.ofNullable(last).map(StrategyRun::progress);
    }

    /**
     * The run to show: this replica's while it runs one; otherwise, with the control plane on, the fleet's last run
     * (another replica's, as of its last step) when it is not older than this replica's own.
     */
    public Future<Optional<StrategyProgress>> fleetProgress() {
        Optional<StrategyProgress> here = progress();
        if (!runs.shared() || here.map(StrategyProgress::running).orElse(false)) {
            return Future.succeededFuture(here);
        }
        return runs.last().map(fleet -> fleet.filter(run -> !run.replica().equals(runs.replicaId()))
                // The same start: the run this replica handed over, as the replica that took it over left it.
                .map(run -> parsed(run.progress())).filter(run -> run != null && (here.isEmpty() || run.running()
                        || !run.startedAt().isBefore(here.get().startedAt()))).or(() -> here))
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
    private Future<Boolean> record(StrategyProgress progress) {
        if (!runs.shared()) {
            return Future.succeededFuture(true);
        }
        String written;
        try {
            written = json.writeValueAsString(progress);
        } catch (IOException e) {
            LOG.warnf("The strategy run's progress could not be written as JSON: %s", e.getMessage());
            return Future.succeededFuture(true);
        }
        synchronized (saves) {
            lastSave = lastSave.transform(before -> runs.save(written, progress.running())).recover(failure -> {
                LOG.warnf("The strategy run's progress could not be written to the control database: %s",
                        failure.getMessage());
                return Future.succeededFuture(true);
            });
            return lastSave;
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
        String plan;
        try {
            progress = json.writeValueAsString(run.progress());
            plan = json.writeValueAsString(run.steps());
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        synchronized (this) {
            starting = true;
        }
        return runs.claim(progress, plan).recover(failure -> Future.failedFuture(
                failure instanceof StrategyRuns.RunElsewhere elsewhere ? refusedFor(elsewhere) : failure))
                .map(claimed -> begin(run)).onComplete(begun -> {
                    synchronized (this) {
                        starting = false;
                    }
                });
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
        return new StrategyRun(strategy, plan(strategy, tenants), who, Instant.now(), null, context());
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
