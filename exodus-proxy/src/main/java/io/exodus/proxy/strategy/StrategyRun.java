package io.exodus.proxy.strategy;

import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.TenantReads;
import io.exodus.proxy.shadow.ShadowReads;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * One run of a strategy: its steps made one after the other, each watched by the health gates for a soak; a gate
 * that fails rolls the migration back to the source as the primary (from canary or cutover) and ends the run. Timers
 * drive it; every change goes through {@link MigrationChanges} or the {@link PrimarySwitch}, audited under the run's
 * name.
 */
final class StrategyRun {
    private static final Logger LOG = Logger.getLogger(StrategyRun.class);

    private final Strategy strategy;
    private final List<StrategyStep> steps;
    private final String startedBy;
    private final String actor;
    private final Vertx vertx;
    private final Duration soak;
    private final Duration checkInterval;
    private final MigrationState migration;
    private final MigrationChanges changes;
    private final PrimarySwitch primarySwitch;
    private final HealthGates gates;
    private final ShadowReads shadow;
    private final int minCompared;
    private final Instant startedAt = Instant.now();

    private String state = "running";
    private int index;
    private Instant stepStartedAt;
    private long stepStartedNanos;
    private Instant endedAt;
    private boolean waitingForReads;
    private GateReading lastReading;
    private String outcome;
    private HealthGates.Baseline baseline;
    private long timer = -1;
    /** The step or rollback being made, which a stop waits for; succeeded when none is. */
    private Future<Void> inFlight = Future.succeededFuture();
    private final String replica;
    /** Told the progress at each step and at the end (the fleet's record of the run). */
    private final Consumer<StrategyProgress> milestones;

    StrategyRun(Strategy strategy, List<StrategyStep> steps, String startedBy, Vertx vertx, Duration soak,
            Duration checkInterval, MigrationState migration, MigrationChanges changes, PrimarySwitch primarySwitch,
            HealthGates gates, ShadowReads shadow, int minCompared, String replica,
            Consumer<StrategyProgress> milestones) {
        this.replica = replica;
        this.milestones = milestones;
        this.strategy = strategy;
        this.steps = steps;
        this.startedBy = startedBy;
        this.actor = "strategy " + strategy.configName() + " (started by " + startedBy + ")";
        this.vertx = vertx;
        this.soak = soak;
        this.checkInterval = checkInterval;
        this.migration = migration;
        this.changes = changes;
        this.primarySwitch = primarySwitch;
        this.gates = gates;
        this.shadow = shadow;
        this.minCompared = minCompared;
    }

    synchronized void start() {
        LOG.infof("Strategy %s started by %s: %s", strategy.configName(), startedBy,
                String.join(" → ", steps.stream().map(StrategyStep::describe).toList()));
        baseline = gates.begin(null);
        makeStep();
    }

    synchronized boolean running() {
        return state.equals("running");
    }

    synchronized StrategyProgress progress() {
        return new StrategyProgress(strategy.configName(), state, steps.stream().map(StrategyStep::describe).toList(),
                Math.min(index, steps.size() - 1), startedAt, stepStartedAt, endedAt, lastReading, outcome, startedBy,
                replica);
    }

    /**
     * An operator stops the run where it is: the phase stays as the last step left it. Completes once the step (or
     * rollback) being made has ended, so that the answer's phase is the one the run leaves, not one a cutover still
     * in progress changes a moment later.
     */
    synchronized Future<Void> stop(String who, String why) {
        if (running()) {
            end("stopped", "stopped by " + who + (why == null ? "" : ": " + why) + ", at " + current());
        }
        return inFlight;
    }

    private String current() {
        return index < steps.size() ? "step " + (index + 1) + " of " + steps.size() + " (" + steps.get(index).describe()
                + ")" : "the end of the plan";
    }

    private void makeStep() {
        if (index == steps.size()) {
            end("done", "every step passed its health gates; the migration is in phase "
                    + migration.phase().configName());
            return;
        }
        StrategyStep step = steps.get(index);
        String why = current();
        LOG.infof("Strategy %s: %s", strategy.configName(), why);
        milestones.accept(progress());
        Future<Void> making = freshTenants(why).compose(v -> apply(step, why));
        inFlight = settled(making);
        making.onComplete(made -> {
            synchronized (this) {
                if (!running()) {
                    return;
                }
                if (made.failed()) {
                    rollBack(why + " could not be made: " + made.cause().getMessage());
                    return;
                }
                baseline = gates.begin(baseline);
                stepStartedAt = Instant.now();
                stepStartedNanos = System.nanoTime();
                lastReading = null;
                scheduleCheck();
            }
        });
    }

    /**
     * Before the first step of a run that moves reads by shares: tenants an earlier run or an operator moved would
     * otherwise keep shares of their own, outside this run's steps.
     */
    private Future<Void> freshTenants(String why) {
        boolean movesReads = strategy == Strategy.CANARY || strategy == Strategy.USER_BY_USER;
        if (index > 0 || !movesReads || migration.tenantReads().shares().isEmpty()) {
            return Future.succeededFuture();
        }
        return changes.change(ControlSetting.TENANT_READS, TenantReads.NONE.json(), actor, why).mapEmpty();
    }

    private Future<Void> apply(StrategyStep step, String why) {
        if (step.kind() == StrategyStep.Kind.SHADOW) {
            // This replica's sessions only, like the gates that read the outcome (ADR 0019); nothing to audit: no
            // state the fleet obeys changes.
            shadow.start();
            return Future.succeededFuture();
        }
        if (step.kind() == StrategyStep.Kind.CUTOVER) {
            return primarySwitch.cutover(actor, why).mapEmpty();
        }
        if (step.kind() == StrategyStep.Kind.TENANT) {
            // The fleet's share at 0 first: the tenants not moved yet stay on the source when the phase turns canary.
            Future<?> others = migration.phase() == MigrationPhase.CANARY ? Future.succeededFuture()
                    : changes.change(ControlSetting.CANARY_PERCENT, "0.0", actor, why);
            return others.compose(v -> changes.change(ControlSetting.TENANT_READS,
                            migration.tenantReads().with(step.tenant(), step.canaryPercent()).json(), actor, why))
                    .compose(v -> toCanary(why));
        }
        // The share first: a phase change to canary before it would send the share configured before to the target.
        Future<?> share = changes.change(ControlSetting.CANARY_PERCENT, String.valueOf(step.canaryPercent()), actor,
                why);
        return share.compose(v -> toCanary(why));
    }

    private Future<Void> toCanary(String why) {
        return migration.phase() == MigrationPhase.CANARY ? Future.succeededFuture()
                : changes.change(ControlSetting.PHASE, MigrationPhase.CANARY.configName(), actor, why).mapEmpty();
    }

    private void scheduleCheck() {
        timer = vertx.setTimer(Math.max(1, checkInterval.toMillis()), id -> check());
    }

    private void check() {
        HealthGates.Baseline since;
        synchronized (this) {
            if (!running()) {
                return;
            }
            since = baseline;
        }
        boolean shadowStep = inShadowStep();
        gates.read(since, shadowStep).onComplete(read -> {
            synchronized (this) {
                if (!running()) {
                    return;
                }
                if (read.failed()) {
                    LOG.warnf("Strategy %s: the health gates could not be read (%s); reading again",
                            strategy.configName(), read.cause().getMessage());
                    scheduleCheck();
                    return;
                }
                lastReading = read.result();
                if (lastReading.failure() != null) {
                    rollBack(current() + " failed its health gates: " + lastReading.failure());
                } else if (System.nanoTime() - stepStartedNanos >= soak.toNanos() && !tooFewCompared(shadowStep)) {
                    if (shadowStep) {
                        shadow.stop();
                    }
                    index++;
                    makeStep();
                } else {
                    scheduleCheck();
                }
            }
        });
    }

    private boolean inShadowStep() {
        synchronized (this) {
            return index < steps.size() && steps.get(index).kind() == StrategyStep.Kind.SHADOW;
        }
    }

    /**
     * A shadow step that compared fewer than {@code exodus.strategy.min-reads} reads has not shown that the target
     * answers as the source does: it soaks on (logged once) until it has, or until an operator stops the run.
     */
    private boolean tooFewCompared(boolean shadowStep) {
        if (!shadowStep || lastReading.shadowCompared() >= minCompared) {
            return false;
        }
        if (!waitingForReads) {
            waitingForReads = true;
            LOG.infof("Strategy %s: %s soaked, but compared %d reads of the %d it needs "
                    + "(exodus.strategy.min-reads); soaking on until it has", strategy.configName(), current(),
                    lastReading.shadowCompared(), minCompared);
        }
        return true;
    }

    private void rollBack(String why) {
        shadow.stop();
        MigrationPhase phase = migration.phase();
        LOG.warnf("Strategy %s: %s; rolling back to the source as the primary", strategy.configName(), why);
        state = "rolling-back";
        milestones.accept(progress());
        if (phase != MigrationPhase.CANARY && phase != MigrationPhase.CUTOVER) {
            end("rolled-back", why + " (nothing to roll back in phase " + phase.configName() + ")");
            return;
        }
        StrategyStep step = steps.get(Math.min(index, steps.size() - 1));
        if (step.kind() == StrategyStep.Kind.TENANT) {
            rollBackTenant(step.tenant(), why);
            return;
        }
        // The whole migration goes back: the tenants moved so far with it, so that a later canary starts afresh.
        Future<?> rollback = primarySwitch.rollback(actor, why).compose(done -> strategy != Strategy.USER_BY_USER
                ? Future.succeededFuture(done) : changes.change(ControlSetting.TENANT_READS,
                        TenantReads.NONE.json(), actor, why).map(done));
        inFlight = settled(rollback);
        rollback.onComplete(done -> {
            synchronized (this) {
                if (done.succeeded()) {
                    end("rolled-back", why);
                } else {
                    end("failed", why + "; the rollback was refused: " + done.cause().getMessage());
                }
            }
        });
    }

    /**
     * A tenant's step failed its gates: that tenant's reads go back to the source; the tenants moved before it stay
     * on the target, their steps having passed. The run ends there.
     */
    private void rollBackTenant(String tenant, String why) {
        Future<?> rollback = changes.change(ControlSetting.TENANT_READS, migration.tenantReads().without(tenant).json(),
                actor, why);
        inFlight = settled(rollback);
        rollback.onComplete(done -> {
            synchronized (this) {
                if (done.succeeded()) {
                    end("rolled-back", why + "; tenant " + tenant + " is back on the source");
                } else {
                    end("failed", why + "; tenant " + tenant + " could not be rolled back: "
                            + done.cause().getMessage());
                }
            }
        });
    }

    /** Completes when {@code change} has, whether it succeeded or not. */
    private static Future<Void> settled(Future<?> change) {
        return change.<Void>mapEmpty().recover(failure -> Future.succeededFuture());
    }

    private void end(String finalState, String why) {
        if (inShadowStep()) {
            shadow.stop();
        }
        state = finalState;
        outcome = why;
        endedAt = Instant.now();
        milestones.accept(progress());
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (finalState.equals("done") || finalState.equals("stopped")) {
            LOG.infof("Strategy %s %s: %s", strategy.configName(), finalState, why);
        } else {
            LOG.errorf("Strategy %s %s: %s", strategy.configName(), finalState, why);
        }
    }
}
