package io.exodus.proxy.strategy;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.TenantReads;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

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
    private final Context context;
    private final Instant startedAt;
    /** The replica that ran it before this one took it over; null for a run started here. */
    private final String takenOverFrom;

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

    /**
     * What a run works with.
     *
     * @param replica    this replica, which runs it
     * @param milestones told the progress at each step and at the end (the fleet's record of the run); answers
     *                   whether this replica still has the run (false once another took it over)
     */
    record Context(Vertx vertx, ExodusConfig.Strategy config, MigrationState migration, MigrationChanges changes,
            PrimarySwitch primarySwitch, HealthGates gates, String replica,
            Function<StrategyProgress, Future<Boolean>> milestones) {
    }

    /** This replica no longer has the run: another took it over, having found this one not live. */
    private static final class HandedOver extends RuntimeException {
        HandedOver() {
            super("another replica took the run over", null, false, false);
        }
    }

    /**
     * @param startedAt     when the run began (on this replica, or on the one it is taken over from)
     * @param takenOverFrom the replica it is taken over from; null for a run that begins here
     */
    StrategyRun(Strategy strategy, List<StrategyStep> steps, String startedBy, Instant startedAt, String takenOverFrom,
            Context context) {
        this.strategy = strategy;
        this.steps = steps;
        this.startedBy = startedBy;
        this.startedAt = startedAt;
        this.takenOverFrom = takenOverFrom;
        this.context = context;
        this.actor = "strategy " + strategy.configName() + " (started by " + startedBy + ")";
    }

    List<StrategyStep> steps() {
        return steps;
    }

    synchronized void start() {
        LOG.infof("Strategy %s started by %s: %s", strategy.configName(), startedBy,
                String.join(" → ", steps.stream().map(StrategyStep::describe).toList()));
        makeStep();
    }

    /**
     * Goes on with a run taken over from a replica that is no longer live: its step {@code at} is made again (each
     * step's change is the same when made twice; a cutover already made is not made again) and soaks afresh, or, if
     * that replica was rolling back, the rollback is made.
     */
    synchronized void resume(int at, boolean rollingBack) {
        index = at;
        LOG.warnf("Strategy %s (started by %s) taken over from replica %s, which is no longer live: %s%s",
                strategy.configName(), startedBy, takenOverFrom, rollingBack ? "rolling back at " : "resuming at ",
                current());
        if (rollingBack) {
            rollBack("replica " + takenOverFrom + ", which ran the strategy, stopped while rolling back at "
                    + current());
        } else {
            makeStep();
        }
    }

    synchronized boolean running() {
        return state.equals("running");
    }

    synchronized StrategyProgress progress() {
        return new StrategyProgress(strategy.configName(), state, steps.stream().map(StrategyStep::describe).toList(),
                Math.min(index, steps.size() - 1), startedAt, stepStartedAt, endedAt, lastReading, outcome, startedBy,
                context.replica(), takenOverFrom);
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
                    + context.migration().phase().configName());
            return;
        }
        StrategyStep step = steps.get(index);
        String why = current();
        LOG.infof("Strategy %s: %s", strategy.configName(), why);
        Future<Void> making = stillOurs().compose(v -> freshTenants(why)).compose(v -> apply(step, why));
        inFlight = settled(making);
        making.onComplete(made -> {
            synchronized (this) {
                if (!running()) {
                    return;
                }
                if (made.failed() && made.cause() instanceof HandedOver) {
                    handedOver();
                } else if (made.failed()) {
                    rollBack(why + " could not be made: " + made.cause().getMessage());
                } else {
                    beginSoak();
                }
            }
        });
    }

    /** The step is made: the gates' baseline is read (again, if the fleet's counters cannot be read now), then soak. */
    private void beginSoak() {
        context.gates().begin(baseline).onComplete(begun -> {
            synchronized (this) {
                if (!running()) {
                    return;
                }
                if (begun.failed()) {
                    LOG.warnf("Strategy %s: the fleet's counters could not be read (%s); reading again",
                            strategy.configName(), begun.cause().getMessage());
                    timer = context.vertx().setTimer(checkMillis(), id -> {
                        synchronized (this) {
                            if (running()) {
                                beginSoak();
                            }
                        }
                    });
                    return;
                }
                baseline = begun.result();
                stepStartedAt = Instant.now();
                stepStartedNanos = System.nanoTime();
                lastReading = null;
                scheduleCheck();
            }
        });
    }

    /**
     * Writes the fleet's record of the run before a change: fails with {@link HandedOver} once another replica took
     * the run over, so that a replica cut off from the control database for a while makes no change of a run it no
     * longer has. A record that cannot be written is logged and the run goes on (the change itself needs the control
     * database and fails alike).
     */
    private Future<Void> stillOurs() {
        return context.milestones().apply(progress()).compose(ours -> ours ? Future.succeededFuture()
                : Future.failedFuture(new HandedOver()));
    }

    /** Another replica took the run over: this one stops here and changes nothing more. */
    private void handedOver() {
        LOG.warnf("Strategy %s: another replica of the fleet took the run over at %s (this one was not seen live); "
                + "this replica leaves it to that one", strategy.configName(), current());
        state = "handed-over";
        outcome = "taken over by another replica of the fleet at " + current();
        endedAt = Instant.now();
        if (timer >= 0) {
            context.vertx().cancelTimer(timer);
        }
    }

    /**
     * Before the first step of a run that moves reads by shares: tenants an earlier run or an operator moved would
     * otherwise keep shares of their own, outside this run's steps.
     */
    private Future<Void> freshTenants(String why) {
        boolean movesReads = strategy == Strategy.CANARY || strategy == Strategy.USER_BY_USER;
        if (index > 0 || !movesReads || context.migration().tenantReads().shares().isEmpty()) {
            return Future.succeededFuture();
        }
        return context.changes().change(ControlSetting.TENANT_READS, TenantReads.NONE.json(), actor, why).mapEmpty();
    }

    private Future<Void> apply(StrategyStep step, String why) {
        MigrationState migration = context.migration();
        MigrationChanges changes = context.changes();
        if (step.kind() == StrategyStep.Kind.SHADOW) {
            // Every replica's sessions: the fleet's setting, audited like any change of the state it obeys.
            return changes.change(ControlSetting.SHADOW, "true", actor, why).mapEmpty();
        }
        if (step.kind() == StrategyStep.Kind.CUTOVER) {
            // Made already when the run is taken over from a replica that stopped after its flip.
            return migration.phase() == MigrationPhase.CUTOVER ? Future.succeededFuture()
                    : context.primarySwitch().cutover(actor, why).mapEmpty();
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
        return context.migration().phase() == MigrationPhase.CANARY ? Future.succeededFuture()
                : context.changes().change(ControlSetting.PHASE, MigrationPhase.CANARY.configName(), actor, why)
                        .mapEmpty();
    }

    private void scheduleCheck() {
        timer = context.vertx().setTimer(checkMillis(), id -> check());
    }

    private long checkMillis() {
        return Math.max(1, context.config().checkInterval().toMillis());
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
        context.gates().read(since, shadowStep).onComplete(read -> {
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
                } else if (System.nanoTime() - stepStartedNanos < context.config().soak().toNanos()
                        || tooFewCompared(shadowStep)) {
                    scheduleCheck();
                } else if (shadowStep) {
                    endShadowStep();
                } else {
                    index++;
                    makeStep();
                }
            }
        });
    }

    /**
     * A shadow step soaked: every replica stops shadowing, and the gates are read once more, after each has applied
     * that and so reported its last counts with its heartbeat; a mismatch found by another replica in the step's last
     * moments still fails it.
     */
    private void endShadowStep() {
        String why = current() + " soaked";
        Future<GateReading> last = stillOurs().compose(v -> context.changes().change(ControlSetting.SHADOW, "false",
                actor, why)).compose(v -> context.gates().read(baseline, true));
        inFlight = settled(last);
        last.onComplete(read -> {
            synchronized (this) {
                if (!running()) {
                    return;
                }
                if (read.failed() && read.cause() instanceof HandedOver) {
                    handedOver();
                    return;
                }
                if (read.failed()) {
                    rollBack(current() + " could not be ended: " + read.cause().getMessage());
                    return;
                }
                lastReading = read.result();
                if (lastReading.failure() != null) {
                    rollBack(current() + " failed its health gates: " + lastReading.failure());
                } else {
                    index++;
                    makeStep();
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
        if (!shadowStep || lastReading.shadowCompared() >= context.config().minReads()) {
            return false;
        }
        if (!waitingForReads) {
            waitingForReads = true;
            LOG.infof("Strategy %s: %s soaked, but compared %d reads of the %d it needs "
                    + "(exodus.strategy.min-reads); soaking on until it has", strategy.configName(), current(),
                    lastReading.shadowCompared(), context.config().minReads());
        }
        return true;
    }

    private void rollBack(String why) {
        LOG.warnf("Strategy %s: %s; rolling back to the source as the primary", strategy.configName(), why);
        state = "rolling-back";
        Future<Void> rollback = stillOurs().compose(v -> stopShadowing(why)).compose(v -> {
            MigrationPhase phase = context.migration().phase();
            if (phase != MigrationPhase.CANARY && phase != MigrationPhase.CUTOVER) {
                return Future.succeededFuture(" (nothing to roll back in phase " + phase.configName() + ")");
            }
            StrategyStep step = steps.get(Math.min(index, steps.size() - 1));
            if (step.kind() == StrategyStep.Kind.TENANT) {
                return rollBackTenant(step.tenant(), why);
            }
            // The whole migration goes back: the tenants moved so far with it, so that a later canary starts afresh.
            return context.primarySwitch().rollback(actor, why).compose(done -> strategy != Strategy.USER_BY_USER
                    ? Future.succeededFuture() : context.changes().change(ControlSetting.TENANT_READS,
                            TenantReads.NONE.json(), actor, why)).map("");
        }).map(said -> {
            synchronized (this) {
                if (rollingBack()) {
                    end("rolled-back", why + said);
                }
            }
            return null;
        });
        inFlight = settled(rollback);
        rollback.onFailure(failure -> {
            synchronized (this) {
                if (!rollingBack()) {
                    return;
                }
                if (failure instanceof HandedOver) {
                    handedOver();
                } else {
                    end("failed", why + "; the rollback was refused: " + failure.getMessage());
                }
            }
        });
    }

    private boolean rollingBack() {
        return state.equals("rolling-back");
    }

    /** Every replica stops shadowing, when this run's shadow step had it on. */
    private Future<Void> stopShadowing(String why) {
        if (!inShadowStep() || !context.migration().shadowing()) {
            return Future.succeededFuture();
        }
        return context.changes().change(ControlSetting.SHADOW, "false", actor, why).mapEmpty();
    }

    /**
     * A tenant's step failed its gates: that tenant's reads go back to the source; the tenants moved before it stay
     * on the target, their steps having passed. The run ends there.
     */
    private Future<String> rollBackTenant(String tenant, String why) {
        return context.changes().change(ControlSetting.TENANT_READS,
                context.migration().tenantReads().without(tenant).json(), actor, why)
                .map("; tenant " + tenant + " is back on the source")
                .recover(failure -> Future.failedFuture(new IllegalStateException("tenant " + tenant
                        + " could not be rolled back: " + failure.getMessage(), failure)));
    }

    /** Completes when {@code change} has, whether it succeeded or not. */
    private static Future<Void> settled(Future<?> change) {
        return change.<Void>mapEmpty().recover(failure -> Future.succeededFuture());
    }

    private void end(String finalState, String why) {
        Future<Void> shadowOff = stopShadowing(why);
        inFlight = settled(inFlight.compose(v -> shadowOff));
        state = finalState;
        outcome = why;
        endedAt = Instant.now();
        context.milestones().apply(progress());
        if (timer >= 0) {
            context.vertx().cancelTimer(timer);
        }
        if (finalState.equals("done") || finalState.equals("stopped")) {
            LOG.infof("Strategy %s %s: %s", strategy.configName(), finalState, why);
        } else {
            LOG.errorf("Strategy %s %s: %s", strategy.configName(), finalState, why);
        }
    }
}
