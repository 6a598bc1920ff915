package io.exodus.proxy.cutover;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.consistency.TwoPhaseRecovery;
import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.PauseNotHeld;
import io.exodus.proxy.metrics.ExodusMeters;
import io.exodus.proxy.migration.LongTransactions;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.monitoring.ReplicationLag;
import io.exodus.proxy.monitoring.ReplicationLagQuery;
import io.exodus.proxy.sequences.SequencePositions;
import io.exodus.proxy.sync.SyncService;
import io.exodus.proxy.traffic.FleetTrafficSwitch;
import io.exodus.proxy.traffic.SessionTrafficSwitch;
import io.exodus.proxy.traffic.TrafficSwitch;
import io.exodus.proxy.verify.VerificationAge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Moves the primary between the databases while the application runs: the cutover (the target becomes the primary,
 * the source still receives every write), the rollback (the source is the primary again, with everything written
 * meanwhile) and the retirement of the source (it is no longer written). A move of the primary is a procedure: the
 * readiness gates, a pause of new transactions, the transactions in flight waited for up to
 * {@code exodus.migration.cutover.timeout} (past it the switch is called off and traffic resumes on the old primary,
 * nothing changed), the new primary's sequences set past the old one's, the phase changed, the pause ended. The pause
 * is measured every time. See docs/cutover.md.
 */
@ApplicationScoped
public class PrimarySwitch {
    private static final Logger LOG = Logger.getLogger(PrimarySwitch.class);
    /** How long the replay of a replica behind what it received must move within for a move of the primary. */
    private static final Duration REPLAY_PROGRESS_WINDOW = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final CanaryErrorRate errorRate;
    private final ExodusConfig config;
    private final MigrationState migration;
    private final BackendEndpoints endpoints;
    private final SessionTrafficSwitch replicaTraffic;
    private final FleetTrafficSwitch fleetTraffic;
    private final CatchUpApplier replay;
    private final TwoPhaseRecovery recovery;
    private final SyncService sync;
    private final ControlPlane control;
    private final DivergenceLog divergences;
    private final MeterRegistry registry;
    private final BypassGuard guard;
    private volatile SwitchReport last;
    /** The divergences counted when this replica last made the target the primary; -1 before that. */
    private volatile double divergencesAtCutover = -1;
    /** The divergences counted when the gates of the running move passed. */
    private volatile double divergencesAtGates;
    private boolean running;

    public PrimarySwitch(Vertx vertx, ExodusConfig config, MigrationState migration, BackendEndpoints endpoints,
            SessionTrafficSwitch replicaTraffic, FleetTrafficSwitch fleetTraffic, CatchUpApplier replay, TwoPhaseRecovery recovery, SyncService sync,
            ControlPlane control, DivergenceLog divergences, MeterRegistry registry, BypassGuard guard,
            CanaryErrorRate errorRate) {
        this.errorRate = errorRate;
        this.guard = guard;
        this.divergences = divergences;
        this.registry = registry;
        this.vertx = vertx;
        this.config = config;
        this.migration = migration;
        this.endpoints = endpoints;
        this.replicaTraffic = replicaTraffic;
        this.fleetTraffic = fleetTraffic;
        this.replay = replay;
        this.recovery = recovery;
        this.sync = sync;
        this.control = control;
    }

    /** The last switch this replica made, or none since it started. */
    public Optional<SwitchReport> last() {
        return Optional.ofNullable(last);
    }

    /**
     * From dual-write or canary: the target becomes the primary; the source keeps receiving every write.
     *
     * @param actor who asks, for the audit log (never null); {@code reason} why, or null
     */
    public Future<SwitchReport> cutover(String actor, String reason) {
        return cutover(actor, reason, migration.longTransactions());
    }

    /** @param atTimeout what to do with the transactions still open after {@code exodus.migration.cutover.timeout} */
    public Future<SwitchReport> cutover(String actor, String reason, LongTransactions atTimeout) {
        MigrationPhase from = migration.phase();
        if (from != MigrationPhase.DUAL_WRITE && from != MigrationPhase.CANARY) {
            return refused("a cutover starts from phase dual-write or canary, where the target has every write; the "
                    + "migration is in phase " + from.configName());
        }
        return ready("cutover", Side.TARGET).compose(v -> moveTo(SwitchReport.Kind.CUTOVER, MigrationPhase.CUTOVER, actor, reason,
                atTimeout));
    }

    /**
     * Back to the source as the primary, losing nothing: from cutover (the source received every write meanwhile) with
     * a pause; from canary at once (the source is the primary there already, only the reads come back).
     */
    public Future<SwitchReport> rollback(String actor, String reason) {
        return rollback(actor, reason, migration.longTransactions());
    }

    /** @param atTimeout what to do with the transactions still open after {@code exodus.migration.cutover.timeout} */
    public Future<SwitchReport> rollback(String actor, String reason, LongTransactions atTimeout) {
        MigrationPhase from = migration.phase();
        if (from == MigrationPhase.CANARY) {
            return begin().compose(v -> traffic().enter(MigrationPhase.DUAL_WRITE, actor, reason)
                    .map(done -> finished(SwitchReport.Kind.ROLLBACK, from, MigrationPhase.DUAL_WRITE, 0, 0))
                    .andThen(done -> end()));
        }
        if (from != MigrationPhase.CUTOVER) {
            return refused(from == MigrationPhase.SOURCE_RETIRED
                    ? "the source was retired: it has not received the writes made since, so it cannot be the "
                            + "primary again"
                    : "a rollback returns from phase canary or cutover; the migration is in phase "
                            + from.configName());
        }
        String missed = sourceMissedWrites();
        if (missed != null) {
            return refused(missed);
        }
        return ready("rollback", Side.SOURCE).compose(v -> moveTo(SwitchReport.Kind.ROLLBACK, MigrationPhase.DUAL_WRITE, actor,
                reason, atTimeout));
    }

    /**
     * Why the source may lack writes the target has, or null: a miss of the source in phase cutover that could not be
     * queued for replay (docs/cutover.md) is a divergence.
     */
    private String sourceMissedWrites() {
        double since = divergencesAtCutover < 0 ? 0 : divergences.total() - divergencesAtCutover;
        return since == 0 ? null : String.format("%.0f divergences were counted since the cutover: the source may lack "
                + "writes the target has, and a rollback would lose them. GET /exodus/migration lists them; verify "
                + "(POST /exodus/migration/verify) and repair the source before rolling back", since);
    }

    /**
     * What must still hold once nothing is in flight: the gates read before the pause did not see the transactions
     * that were still open then.
     */
    private Future<Void> settledUnderPause(SwitchReport.Kind kind, long deadlineNanos) {
        String missed = kind == SwitchReport.Kind.ROLLBACK ? sourceMissedWrites() : newPrimaryMissedWrites();
        if (missed != null) {
            return Future.failedFuture(new IllegalStateException(missed));
        }
        return replay.drainedBefore(deadlineNanos);
    }

    /**
     * Why the target may lack writes the source has, or null: a transaction still in flight when the gates were read
     * may have missed it in a way the replay queue could not take (a divergence, its tables marked once it is known).
     */
    private String newPrimaryMissedWrites() {
        double since = divergences.total() - divergencesAtGates;
        return since <= 0 ? null : String.format("%.0f divergences were counted while the cutover waited for the "
                + "transactions in flight: the target may lack writes the source has. GET /exodus/migration lists "
                + "them; verify (POST /exodus/migration/verify) and repair the target, then cut over again", since);
    }

    /** From cutover: the source is no longer written, Exodus relays to the target alone (and can be removed). */
    public Future<SwitchReport> retireSource(String actor, String reason) {
        MigrationPhase from = migration.phase();
        if (from != MigrationPhase.CUTOVER) {
            return refused("the source is retired after the cutover, from phase cutover; the migration is in phase "
                    + from.configName());
        }
        // The primary stays: sessions stop mirroring between two of their transactions, no pause is needed.
        return begin().compose(v -> traffic().enter(MigrationPhase.SOURCE_RETIRED, actor, reason)
                .map(done -> finished(SwitchReport.Kind.RETIRE_SOURCE, from, MigrationPhase.SOURCE_RETIRED, 0, 0))
                .andThen(done -> end()));
    }

    /**
     * The gates every move of the primary passes; fails with a {@link SwitchRefused} that says what to do.
     *
     * @param newPrimary the side the move makes the primary
     */
    private Future<Void> ready(String what, Side newPrimary) {
        if (sync.status().map(status -> !status.state().finished()).orElse(false)) {
            return refused("an initial sync is running; the " + what + " waits for it to finish");
        }
        if (!recovery.unresolved().isEmpty()) {
            return refused(recovery.unresolved().size() + " two-phase transactions are still in doubt ("
                    + String.join(", ", recovery.unresolved()) + "); the " + what + " waits until they are resolved");
        }
        Future<Void> queue = !replay.active() ? Future.succeededFuture() : replay.discover()
                .recover(failure -> refused("the replay queues could not be read in every database (" + failure
                        .getMessage() + "); the " + what + " needs to know that none holds a transaction"))
                .compose(marked -> marked.isEmpty() ? Future.succeededFuture() : refused(markedDivergent(marked, what)))
                .compose(found -> replay.status()).compose(status ->
                status.depth() == 0 && status.parked() == 0 ? Future.succeededFuture()
                        : refused(status.depth() + " transactions wait in the replay queue and " + status.parked()
                                + " are parked: the target does not have every write yet. Wait until the queue has "
                                + "drained and resolve the parked ones (GET /exodus/migration shows both)"));
        return queue.compose(v -> replicasCaughtUp(what, newPrimary))
                .compose(v -> newPrimary == Side.TARGET ? targetReady(what) : Future.succeededFuture())
                .compose(v -> begin())
                .onSuccess(v -> divergencesAtGates = divergences.total());
    }

    /**
     * The gates a cutover passes and a rollback does not: the rollback returns to the side dual-write kept whole, and
     * is the way out when the target fails.
     */
    private Future<Void> targetReady(String what) {
        return recentlyVerified(what).compose(v -> targetAnswersWell(what));
    }

    /** The target's reads in phase canary fail no more often than the source's ({@link CanaryErrorRate}). */
    private Future<Void> targetAnswersWell(String what) {
        return errorRate.problem().recover(failure -> refused("the fleet's read counters could not be read ("
                + failure.getMessage() + "); the " + what + " needs the target's error rate"))
                .compose(problem -> problem.isEmpty() ? Future.succeededFuture() : refused(problem.get() + ". Find "
                        + "why the target fails them (the proxy's log names the statements), then go back to "
                        + "dual-write and start the canary again, which counts afresh"));
    }

    /**
     * With {@code exodus.migration.cutover.max-verification-age} above 0 (24 h by default): every database of the source
     * that has tables was verified whole within it (the source keeps each database's last verification run, whichever
     * replica ran it). Asked of a cutover only: a rollback returns to the side dual-write kept whole, and is the way
     * out when the target fails, so it must not wait hours for a verification (known differences still hold it back).
     */
    private Future<Void> recentlyVerified(String what) {
        Duration max = config.migration().cutover().maxVerificationAge();
        if (max.isZero()) {
            return Future.succeededFuture();
        }
        ControlConnections connections = new ControlConnections(vertx);
        BackendEndpoint source = endpoints.source();
        return connections.databases(source).compose(databases -> {
            List<Future<Optional<String>>> checks = new ArrayList<>();
            databases.forEach(database -> checks.add(VerificationAge.problem(connections.to(source, database),
                    database, max)));
            return Future.all(checks).map(all -> checks.stream().flatMap(check -> check.result().stream()).toList());
        }).eventually(() -> connections.closeAll())
                .recover(failure -> refused("the source's verifications could not be read (" + failure.getMessage()
                        + "); the " + what + " needs a recent one of every database "
                        + "(exodus.migration.cutover.max-verification-age)"))
                .compose(stale -> stale.isEmpty() ? Future.succeededFuture() : refused("the " + what + " needs every "
                        + "database verified whole within exodus.migration.cutover.max-verification-age ("
                        + max.toMinutes() + " min): " + String.join(", ", stale) + ". Verify them (POST "
                        + "/exodus/migration/verify naming the database, without tables), then ask again"));
    }

    /**
     * The standbys and subscribers of the database that becomes the primary are within
     * {@code exodus.migration.cutover.max-replication-lag} of it: after the move they serve its reads and stand in for
     * it should it fail. A lag PostgreSQL has not measured (no WAL sent since) is none; a slot nobody reads is a
     * replica that stopped, behind by all it has not read.
     */
    private Future<Void> replicasCaughtUp(String what, Side newPrimary) {
        Duration max = config.migration().cutover().maxReplicationLag();
        if (max.isZero()) {
            return Future.succeededFuture();
        }
        ControlConnections connections = new ControlConnections(vertx);
        return new ReplicationLagQuery(connections.to(endpoint(newPrimary))).read()
                .eventually(() -> connections.closeAll())
                .recover(failure -> refused("the replication lag of the " + newPrimary.configName() + "'s standbys "
                        + "could not be read (" + failure.getMessage() + "); the " + what + " needs to know that none "
                        + "is behind (exodus.migration.cutover.max-replication-lag 0 turns this gate off)"))
                .compose(lags -> {
                    List<String> behind = lags.stream().filter(lag -> lag.kind() == ReplicationLag.Kind.CONNECTION
                            && lag.seconds() != null && lag.seconds() * 1000 > max.toMillis())
                            .map(lag -> String.format(Locale.ROOT, "%s (%.1f s)", lag.name(), lag.seconds()))
                            .toList();
                    if (!behind.isEmpty()) {
                        return refused("replicas of the " + newPrimary.configName() + " are further behind it than "
                                + "exodus.migration.cutover.max-replication-lag (" + max.toMillis() + " ms): "
                                + String.join(", ", behind) + ". After the " + what + " they would serve reads that "
                                + "old; wait until they have caught up (GET /exodus/migration shows replication)");
                    }
                    List<String> unread = lags.stream().filter(PrimarySwitch::slotOfAStoppedReplica)
                            .map(lag -> String.format(Locale.ROOT, "%s (%.1f MB of WAL kept)", lag.name(),
                                    lag.bytes() == null ? 0 : lag.bytes() / 1e6))
                            .toList();
                    if (!unread.isEmpty()) {
                        return refused("replication slots of the " + newPrimary.configName() + " are not read: "
                                + String.join(", ", unread) + ". A standby or subscriber that reads one is stopped, "
                                + "and would be behind by all it has not read after the " + what + ". Start it and "
                                + "wait until it has caught up, or drop the slot if that replica is gone (SELECT "
                                + "pg_drop_replication_slot('name'))");
                    }
                    return replaysMove(what, newPrimary, lags);
                });
    }

    /**
     * A replica that received WAL it has not replayed is read again {@link #REPLAY_PROGRESS_WINDOW} later: one whose
     * replay stood still meanwhile is paused or held by a conflict, however small the {@code replay_lag} PostgreSQL
     * shows (that of the last position it replayed). A replica that has replayed all it received is caught up.
     */
    private Future<Void> replaysMove(String what, Side newPrimary, List<ReplicationLag> first) {
        if (first.stream().noneMatch(ReplicationLag::replayBehind)) {
            return Future.succeededFuture();
        }
        ControlConnections connections = new ControlConnections(vertx);
        return vertx.timer(REPLAY_PROGRESS_WINDOW.toMillis())
                .compose(fired -> new ReplicationLagQuery(connections.to(endpoint(newPrimary))).read())
                .eventually(() -> connections.closeAll())
                .recover(failure -> refused("the replication lag of the " + newPrimary.configName() + "'s standbys "
                        + "could not be read again (" + failure.getMessage() + ")"))
                .compose(second -> {
                    List<String> stalled = new ArrayList<>();
                    for (ReplicationLag before : first) {
                        second.stream().filter(after -> after.kind() == before.kind()
                                && after.name().equals(before.name()) && before.replayStoodStill(after))
                                .findFirst().ifPresent(after -> stalled.add(String.format(Locale.ROOT,
                                        "%s (%.1f MB behind)", after.name(),
                                        after.bytes() == null ? 0 : after.bytes() / 1e6)));
                    }
                    return stalled.isEmpty() ? Future.succeededFuture() : refused("replicas of the "
                            + newPrimary.configName() + " do not replay what they receive: " + String.join(", ",
                                    stalled) + ": their replay stood still for " + REPLAY_PROGRESS_WINDOW.toMillis()
                            + " ms. A standby whose replay is paused (SELECT pg_wal_replay_resume() on it) or held "
                            + "by a conflict with its queries would be behind after the " + what + "; wait until it "
                            + "has caught up");
                });
    }

    /**
     * A slot nobody reads is a standby or subscriber that stopped (pg_stat_replication no longer lists it): its lag is
     * all the WAL it has not read, which no connection reports. The initial sync's own slot is none.
     */
    private static boolean slotOfAStoppedReplica(ReplicationLag lag) {
        return lag.kind() == ReplicationLag.Kind.SLOT && !lag.active() && !SyncService.ownsSlot(lag.name());
    }

    /**
     * Why tables marked divergent hold a move of the primary back: one database may have a transaction the other
     * lacks, and the new primary would serve it (or lack it) from then on. A verification that finds such a table
     * identical clears its mark (docs/verification.md).
     */
    private static String markedDivergent(List<String> marked, String what) {
        return marked.size() + " tables are marked divergent: " + String.join(", ", marked) + ". One database may "
                + "have rows or a transaction the other lacks there (exodus.divergent_tables says why: catch-up, or a "
                + "verification that found them different). Verify them (POST /exodus/migration/verify, naming their "
                + "database), repair what differs (POST /exodus/migration/repair) and verify again: a verification that "
                + "finds a table identical clears its mark. Then ask for the " + what + " again";
    }

    private Future<SwitchReport> moveTo(SwitchReport.Kind kind, MigrationPhase to, String actor, String reason,
            LongTransactions atTimeout) {
        MigrationPhase from = migration.phase();
        ControlConnections connections = new ControlConnections(vertx);
        SequencePositions positions = new SequencePositions(connections);
        return positions.connect(endpoint(from.primary()), endpoint(to.primary()))
                .compose(connected -> pausedMove(kind, from, to, actor, reason, atTimeout, connections, positions));
    }

    private Future<SwitchReport> pausedMove(SwitchReport.Kind kind, MigrationPhase from, MigrationPhase to,
            String actor, String reason, LongTransactions atTimeout, ControlConnections connections,
            SequencePositions positions) {
        BackendEndpoint oldPrimary = endpoint(from.primary());
        BackendEndpoint newPrimary = endpoint(to.primary());
        Duration timeout = config.migration().cutover().timeout();
        long started = System.nanoTime();
        LOG.infof("%s: new transactions paused; waiting for those in flight %s", kind.apiName(), switch (atTimeout) {
            case ABORT -> "up to " + timeout.toMillis() + " ms";
            case CANCEL -> "for " + timeout.toMillis() + " ms, then ending those still open";
            case WAIT -> "until they end";
        });
        int[] sequences = new int[1];
        return traffic().pauseNewTransactions(timeout, atTimeout).recover(failure -> Future.failedFuture(calledOff(
                kind, from, " after " + millisSince(started) + " ms: " + failure.getMessage(),
                atTimeout == LongTransactions.ABORT ? " (a longer exodus.migration.cutover.timeout waits longer; "
                        + "exodus.migration.cutover.long-transactions cancel ends them, wait waits for them)" : "")))
                // The queues drain within the timeout from the moment nothing was in flight, however long that took.
                .compose(held -> settledUnderPause(kind, (atTimeout == LongTransactions.ABORT ? started
                        : System.nanoTime()) + timeout.toNanos()).recover(failure ->
                        Future.failedFuture(calledOff(kind, from, " after " + millisSince(started) + " ms: "
                                + failure.getMessage(), ""))))
                .compose(drained -> to.primary() == Side.SOURCE ? liftGuard(kind) : Future.succeededFuture())
                .compose(lifted -> positions.advance(oldPrimary, newPrimary))
                .compose(set -> {
                    sequences[0] = set;
                    if (kind == SwitchReport.Kind.CUTOVER) {
                        divergencesAtCutover = divergences.total();
                    }
                    return traffic().enter(to, actor, reason).recover(failure -> failure instanceof PauseNotHeld
                            ? Future.failedFuture(calledOff(kind, from, ": " + failure.getMessage(),
                                    ". Try again: that replica holds the next pause"))
                            : Future.failedFuture(failure));
                })
                // Once the target is the primary, before traffic resumes: a failure is reported, the cutover stays.
                .compose(entered -> to.primary() == Side.TARGET ? guard.engage().otherwise((Void) null)
                        : Future.succeededFuture())
                .map(entered -> finished(kind, from, to, millisSince(started), sequences[0]))
                .andThen(done -> {
                    if (done.failed() && to.primary() == Side.SOURCE && guard.guarded().isEmpty()) {
                        // Lifted for a rollback that did not happen: the target is still the primary.
                        guard.engage();
                    }
                    traffic().resume();
                    Timer.builder(ExodusMeters.SWITCH_PAUSE)
                            .description("How long new transactions were paused for a move of the primary")
                            .tag(ExodusMeters.TAG_KIND, kind.apiName())
                            .tag(ExodusMeters.TAG_OUTCOME, done.succeeded() ? "done" : "called-off")
                            .register(registry).record(Duration.ofNanos(System.nanoTime() - started));
                    connections.close();
                    end();
                    if (done.failed() && !(done.cause() instanceof SwitchRefused)) {
                        LOG.errorf("%s failed after %d ms, traffic resumed in phase %s: %s", kind.apiName(),
                                millisSince(started), migration.phase().configName(), done.cause().getMessage());
                    } else if (done.failed()) {
                        LOG.warnf("%s", done.cause().getMessage());
                    }
                });
    }

    /** A switch given up during its pause: {@code why} follows "called off", {@code then} the outcome. */
    private static SwitchRefused calledOff(SwitchReport.Kind kind, MigrationPhase from, String why, String then) {
        return new SwitchRefused(SwitchRefused.Reason.NOT_NOW, kind.apiName() + " called off" + why
                + "; traffic resumed on the " + from.primary().configName() + ", nothing was changed" + then);
    }

    /**
     * Before the source becomes the primary again: its application roles get their setting back, or the sessions moved
     * there would find them read-only. Failing, the rollback is called off, nothing changed.
     */
    private Future<Void> liftGuard(SwitchReport.Kind kind) {
        return guard.release().recover(failure -> Future.failedFuture(new SwitchRefused(SwitchRefused.Reason.NOT_NOW,
                kind.apiName() + " called off: the bypass guard could not give the application's roles their setting "
                        + "back on the source (" + failure.getMessage() + "); traffic resumed on the target, nothing "
                        + "was changed. Check that the role of exodus.source.url may ALTER ROLE them")));
    }

    /**
     * Every replica of the fleet through the control plane when it is on (each pauses its own sessions and follows the
     * phase); this replica's sessions alone otherwise.
     */
    private TrafficSwitch traffic() {
        return control.enabled() ? fleetTraffic : replicaTraffic;
    }

    private SwitchReport finished(SwitchReport.Kind kind, MigrationPhase from, MigrationPhase to, long pauseMillis,
            int sequences) {
        SwitchReport report = new SwitchReport(kind, from.configName(), to.configName(), to.primary().configName(),
                pauseMillis, sequences, Instant.now(), guardState());
        last = report;
        if (from.primary() == to.primary()) {
            LOG.infof("%s done: phase %s, primary %s, without a pause", kind.apiName(), to.configName(),
                    to.primary().configName());
        } else {
            LOG.infof("%s done: phase %s, primary %s; new transactions were paused %d ms; %d sequences set past the "
                    + "old primary's", kind.apiName(), to.configName(), to.primary().configName(), pauseMillis,
                    sequences);
        }
        return report;
    }

    /** What the bypass guard holds after the move, for its report; null when it is off. */
    private String guardState() {
        if (!guard.enabled()) {
            return null;
        }
        if (guard.failure() != null) {
            return "failed: " + guard.failure();
        }
        return guard.guarded().isEmpty() ? "lifted" : "set on " + String.join(", ", guard.guarded());
    }

    private synchronized Future<Void> begin() {
        if (running) {
            return refused("another switch of the primary is running");
        }
        running = true;
        return Future.succeededFuture();
    }

    private synchronized void end() {
        running = false;
    }

    private BackendEndpoint endpoint(Side side) {
        return side == Side.SOURCE ? endpoints.source() : endpoints.target().orElseThrow();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static <T> Future<T> refused(String message) {
        return Future.failedFuture(new SwitchRefused(SwitchRefused.Reason.NOT_NOW, message));
    }
}
