package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.catchup.CatchUpQueue;
import io.exodus.proxy.catchup.TransactionRecording;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.functions.DatabaseFunctions;
import io.exodus.proxy.loginsettings.LoginSettings;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.PreparedStatementVerb;
import io.exodus.proxy.sql.SettingAssignments;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.sql.PartitionDetach;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A dual-write session's side of the replay queue (ADR 0005): whether the current transaction's policy queues what
 * the secondary misses, the recording of what the transaction sent (or would have sent) to the secondary, and the
 * hand-off of a transaction to the queue, whose entry then commits on the primary together with the transaction.
 * It exists so that the shapes ({@link LockstepWrite}, {@link ConcurrentWrite}, {@link TransactionCommit}) ask one
 * place whether a transaction goes to the queue, and the relay only tells it when a transaction or the session ends.
 */
final class QueueHandoff {
    private static final Logger LOG = Logger.getLogger(QueueHandoff.class);

    /** The longest a COMMIT waits for the marker tables (a secondary that does not answer its control connection). */
    private static final long MARKERS_WAIT_MILLIS = 2_000;

    /** Why every transaction of best-effort in mode queued goes to the queue. */
    static final String ANSWERS_FIRST = "best-effort answers after the primary alone";

    /**
     * The parts this one works with, which are made after it (the secondary's part in the transaction is made with
     * this queue handoff): read when needed.
     */
    private final Supplier<SessionParts> parts;
    private final SessionContext context;

    private final CurrentTransaction transaction;

    private final Legs legs;
    private final DualWriteServices dual;
    private final BackendLogin login;
    /** What the current transaction sent (or would have sent) to the secondary, when its policy replays. */
    private TransactionRecording recording;
    /** The SQL-level prepared statements the current transaction EXECUTEs: their PREPAREs go into its entry. */
    private final Set<String> executedPrepares = new HashSet<>();
    private final CatchUpQueue replay;
    /** The session's settings as last read, for the entries' context. */
    private final KnownSettings settings;
    /** Why the current request keeps its transaction out of the queue by what it resets; null when it resets none. */
    private String resetInRequest;

    QueueHandoff(SessionContext context, Supplier<SessionParts> parts, BackendLogin login,
            DatabaseFunctions functions) {
        this.parts = parts;
        this.context = context;
        DualWriteServices dual = context.dual();
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.dual = dual;
        this.login = login;
        this.settings = new KnownSettings(functions, functions.classifications(), context.customSettings());
        // On the primary, inside whose transactions entries are written: the source's queue, replayed into the
        // target, before the cutover; the target's, replayed into the source, after it.
        this.replay = dual.replay() == null ? null : dual.replay().queue(legs.primarySide());
    }

    /** The queue of this session's primary; null without one (no target). */
    CatchUpQueue catchUp() {
        return replay;
    }

    /** Whether the current transaction's policy queues what the secondary misses. */
    boolean replays() {
        return replay != null && transaction.policy().replaysSecondaryFailures(legs.secondaryIsTarget());
    }

    /** Whether this session's database has a usable queue with room. */
    boolean canQueue() {
        return replays() && replay.canQueue(login.database());
    }

    /** Whether the queue of this session's database has entries (or is about to): no live writes then. */
    boolean mustQueue() {
        return replay != null && replay.mustQueue(login.database());
    }

    /**
     * Best-effort in mode {@code queued} (ADR 0049): every transaction reaches the secondary through the queue, so
     * that the client waits for the primary alone. Only while the queue can take it, and while nothing reads from the
     * secondary: canary and shadow reads need it to hold the session's own writes. A session that has held temporary
     * tables stays live, as its writes may name them and the applier's connection has none.
     */
    boolean queuesEveryTransaction() {
        return replay != null && transaction.policy() == ConsistencyPolicy.BEST_EFFORT
                && replay.config().bestEffortMode() == ExodusConfig.Replay.BestEffortMode.QUEUED
                && dual.migration().phase() != MigrationPhase.CANARY && !dual.migration().shadowing()
                && !context.temporaryTables().heldAny() && replay.canQueue(login.database());
    }

    /** Whether this session's writes go to the queue now: it has entries, or best-effort queues every one. */
    boolean writesQueue() {
        return mustQueue() || queuesEveryTransaction();
    }

    /**
     * Before the first write of a transaction (it wrote nothing yet on either side) that would join its database's
     * nearly empty queue: waits (up to {@code exodus.replay.drain-wait}) for the queue to drain, so that the
     * transaction goes to the secondary live. Always completes, on this session's event loop; after the wait the
     * write queues or not as the queue's state then says.
     */
    Future<Void> drainedBeforeFirstWrite() {
        if (replay == null || queueTransaction() || recordedWrites() || queuesEveryTransaction()
                || parts.get().secondaryTransaction().wrote() || !replay.worthWaitingForDrain(login.database())) {
            return Future.succeededFuture();
        }
        return onThisLoop(replay.drained(login.database())).transform(done -> Future.succeededFuture());
    }

    /**
     * Whether this transaction's COMMIT on the secondary can carry a commit marker: the first transactions of a
     * database wait, for at most {@value #MARKERS_WAIT_MILLIS} ms, for the marker tables being made. Always completes
     * on this session's event loop.
     */
    Future<Boolean> commitMarkersMade() {
        if (replay == null) {
            return Future.succeededFuture(false);
        }
        Future<Boolean> known = replay.commitMarkersMade(login.database());
        if (known.isComplete()) {
            return Future.succeededFuture(known.succeeded() && known.result());
        }
        Future<Boolean> made = onThisLoop(known)
                .transform(result -> Future.succeededFuture(result.succeeded() && result.result()));
        Context here = Vertx.currentContext();
        if (here == null) {
            return made;
        }
        Promise<Boolean> answer = Promise.promise();
        long timer = here.owner().setTimer(MARKERS_WAIT_MILLIS, id -> answer.tryComplete(false));
        made.onComplete(result -> {
            here.owner().cancelTimer(timer);
            answer.tryComplete(result.result());
        });
        return answer.future();
    }

    /**
     * Completes once the database's queue state is known (the first write of a session waits for it), always on this
     * session's event loop ({@link #onThisLoop}).
     */
    Future<Void> replayReady() {
        if (replay == null) {
            return Future.succeededFuture();
        }
        Future<Void> ready = replay.ready(login.database());
        if (ready.isComplete()) {
            return Future.succeededFuture();
        }
        // A failure is logged by the queue; the session goes on without it (what it cannot queue is a divergence).
        return onThisLoop(ready).transform(done -> Future.succeededFuture());
    }

    /**
     * {@code foreign}'s outcome on this session's event loop, always on a later turn of it (even when it is complete
     * already): the queue's futures complete on its control pool's, and a callback chained to one of them would run
     * there, next to this session's own thread.
     */
    private static <T> Future<T> onThisLoop(Future<T> foreign) {
        Context here = Vertx.currentContext();
        if (here == null) {
            return foreign;
        }
        Promise<T> local = Promise.promise();
        foreign.onComplete(result -> here.runOnContext(v -> local.handle(result)));
        return local.future();
    }

    TransactionRecording newRecording() {
        TransactionRecording started = new TransactionRecording(replay.config().maxTransactionBytes());
        if (resetInRequest != null) {
            // The request that starts the recording resets a setting (see refuseResets).
            started.refuse(resetInRequest);
        }
        return started;
    }

    /** Whether the transaction's recording holds writes already (without starting one). */
    private boolean recordedWrites() {
        return recording != null && recording.hasWrites();
    }

    /** The recording of the current transaction, started if the policy replays and none exists yet. */
    TransactionRecording recording() {
        if (recording == null && replays()) {
            recording = newRecording();
        }
        return recording;
    }

    /** The recording of the current transaction as it is, null when none was started; never starts one. */
    TransactionRecording currentRecording() {
        return recording;
    }

    /** A recording started by a request that turned out to open (or continue) a transaction becomes its own. */
    void adopt(TransactionRecording started) {
        recording = started;
    }

    /** Whether the current transaction goes to the replay queue when it commits: the secondary missed part of it. */
    boolean queueTransaction() {
        return parts.get().secondaryTransaction().isQueued();
    }

    /**
     * The current transaction goes to the replay queue: the secondary takes no further part in it (what it applied
     * is rolled back there), and the session leaves the secondary until the queue has drained, so that none of its
     * later writes overtakes this one on the secondary.
     */
    void queueCurrentTransaction(String why) {
        if (queueTransaction()) {
            return;
        }
        parts.get().secondaryTransaction().queued();
        replay.queueing(login.database());
        if (why.startsWith("earlier") || why.startsWith("no connection") || why.startsWith(ANSWERS_FIRST)) {
            // One line per transaction while the target is away would drown the log: the detachment said it once.
            LOG.debugf("%s: the transaction goes to the replay queue (%s)", context.label(), why);
        } else {
            LOG.infof("%s: the transaction goes to the replay queue (%s)", context.label(), why);
        }
        parts.get().secondaryConnection().detachForQueue();
    }

    /**
     * A write is about to be sent to the primary, which is between requests: if the transaction goes to the queue
     * and wrote nothing yet, its entry replays under the settings from before this write ({@link
     * KnownSettings#takeAtStart}).
     */
    void beforeWriteRuns() {
        if (queueTransaction() && !recordedWrites()) {
            settings.takeAtStart(legs.primary());
        }
    }

    /** The queued transaction committed on the primary together with its queue entry. */
    void queuedTransactionCommitted() {
        endQueueing(true);
    }

    /** The primary's transaction ended: the next one starts without a recording. */
    void transactionEnded() {
        executedPrepares.clear();
        settings.transactionEnded();
        // Rolled back, or ended without its entry: nothing of it was queued.
        endQueueing(false);
        recording = null;
    }

    /**
     * A transaction began with the end of the last one (AND CHAIN): it is recorded from its start, as one begun by
     * the client's BEGIN would be, in case the queue needs it.
     */
    void chainedTransactionBegan() {
        if (replays()) {
            recording = newRecording();
            recording.add(FrontendMessages.query("BEGIN"), 1, List.of("BEGIN"), false);
        }
    }

    /** The session closes its legs: a transaction still headed for the queue never commits with its entry. */
    void sessionClosed() {
        endQueueing(false);
    }

    private void endQueueing(boolean committed) {
        if (queueTransaction()) {
            parts.get().secondaryTransaction().queueingEnded();
            replay.queueingEnded(login.database(), committed);
        }
    }

    /**
     * What commits a queued transaction on the primary: its queue entry and COMMIT, in one simple query, so that
     * the entry exists exactly when the transaction committed. A transaction too big for the queue commits without
     * one, as a divergence.
     */
    Future<String> queuedCommitSql(String fingerprint) {
        return entrySql(fingerprint).map(entry -> entry == null ? "COMMIT" : entry + ";\nCOMMIT");
    }

    /**
     * A queued transaction the client prepares (PREPARE TRANSACTION) gets its entry first, inside it: COMMIT PREPARED
     * then commits the entry with it, ROLLBACK PREPARED drops both. Answers the primary's error when it refused the
     * entry (the transaction has failed there), null otherwise.
     */
    Future<ErrorResponse> entryBeforePrepare(String fingerprint) {
        return entrySql(fingerprint).compose(entry -> entry == null ? Future.succeededFuture(null)
                : legs.primary().send(FrontendMessages.query(entry), 1, Leg.DISCARD)
                        .map(reply -> reply.failed() ? reply.error() : null));
    }

    /**
     * A {@code DETACH PARTITION … CONCURRENTLY} the primary ran: queued as {@link PartitionDetach} says, with the CHECK
     * constraints the primary's partition holds now. False (not mirrored, counted) when they cannot be read.
     */
    Future<Boolean> queueDetachOnItsOwn(String plainDetach, String partition) {
        TextRows checks = new TextRows();
        return legs.primary().send(FrontendMessages.query(PartitionDetach.checksQuery(partition)), 1, checks)
                .compose(reply -> reply.failed() ? Future.succeededFuture(false)
                        : queueOnItsOwn(PartitionDetach.queuedForm(plainDetach, partition, checks.rows().stream()
                                .map(row -> new PartitionDetach.Check(row.get(0), row.get(1))).toList()),
                                List.of("DO"), plainDetach));
    }

    /**
     * A statement that ran on the primary outside any transaction ({@code CREATE INDEX CONCURRENTLY}) while the target
     * gets this database's writes through the queue: its form that runs inside a transaction ({@code text}) becomes an
     * entry of its own, written on the primary right after it, under the session's settings. Nothing holds the two
     * together: a proxy killed between them leaves the target without the statement, as before this existed, unlisted.
     *
     * @param tags        the command tags the entry's replay answers with
     * @param writtenText the statement whose tables the entry writes, for the tables marked should it be parked
     */
    Future<Boolean> queueOnItsOwn(String text, List<String> tags, String writtenText) {
        if (!canQueue()) {
            return Future.succeededFuture(false);
        }
        TransactionRecording own = newRecording();
        own.add(FrontendMessages.query(text), 1, tags, true);
        own.wrote(writtenText);
        context.temporaryTables().refuseIfReplayNames(text, false, own);
        if (own.overflowed()) {
            return Future.succeededFuture(false);
        }
        return insertOf(own, Set.of())
                .compose(insert -> legs.primary().send(FrontendMessages.query(insert), 1, Leg.DISCARD))
                .map(reply -> {
                    if (reply.failed()) {
                        LOG.warnf("%s: could not queue %s for the target: %s", context.label(), text,
                                reply.error() == null ? "connection lost" : reply.error().message());
                        return false;
                    }
                    replay.entryMayHaveCommitted(login.database());
                    return true;
                }).recover(failure -> Future.succeededFuture(false));
    }

    /**
     * The INSERT of the current transaction's entry, or null when it has nothing to queue or is too big for the queue
     * (then recorded as a divergence). The entry's context is the session's settings as the primary has them (see
     * {@link SessionSettings}), then the PREPAREs of the statements the transaction EXECUTEs: not every PREPARE the
     * session holds, as one may name an object dropped since, which the target would refuse to prepare. The entry's id
     * is drawn on the proxy's own connection, so that the client's {@code lastval()} stays its own.
     */
    private Future<String> entrySql(String fingerprint) {
        if (recording == null || !recording.hasWrites()) {
            return Future.succeededFuture(null);
        }
        if (recording.overflowed()) {
            String why = recording.unqueueableReason();
            dual.divergences().record(Divergence.Kind.NOT_MIRRORED, transaction.policy(), fingerprint, "committed",
                    "the transaction could not be queued: " + why);
            markDivergent(recording.tables(), "a transaction the target missed could not be queued: " + why);
            return Future.succeededFuture(null);
        }
        return insertOf(recording, executedPrepares).recover(failure -> {
            // The queue's own table went (its database dropped and made again outside Exodus): the transaction commits
            // on the primary alone, listed, and the next one that must queue makes the table again.
            String why = failure.getMessage();
            dual.divergences().record(Divergence.Kind.NOT_MIRRORED, transaction.policy(), fingerprint, "committed",
                    "the transaction could not be queued: " + why);
            markDivergent(recording.tables(), "a transaction the target missed could not be queued: " + why);
            return Future.succeededFuture(null);
        });
    }

    /**
     * The INSERT that queues {@code queued} under the session's settings, followed by the PREPAREs of {@code prepares}.
     * The id is drawn once every row lock of the transaction is held, so that of two transactions that write the same
     * row, the one that committed first has the lower id and is replayed first. With nothing in flight on the primary
     * every write has answered, and the id is drawn beside the settings' query; otherwise (the same query carries
     * writes) after its answer, which comes after theirs.
     */
    private Future<String> insertOf(TransactionRecording queued, Set<String> prepares) {
        boolean locksHeld = legs.primary().isIdle();
        Future<String> settingsNow = settings.statementFrom(legs.primary());
        Future<Long> id = locksHeld ? replay.nextEntryId(login.database())
                : settingsNow.compose(known -> replay.nextEntryId(login.database()));
        return Future.all(settingsNow, id).map(both -> {
            String prepared = context.prepares().replayText(prepares);
            String known = settingsNow.result();
            String state = known.isEmpty() ? prepared : prepared.isEmpty() ? known : known + ";\n" + prepared;
            return replay.insertSql(id.result(), queued, state);
        });
    }

    /**
     * A request that changes the session's settings after the transaction's first write keeps the transaction out of
     * the queue: its entry carries the settings as they are at COMMIT (see {@link SessionSettings}), under which the
     * writes before the change would be replayed, and an unqualified name could then mean another table. Not so for
     * a plain {@code SET name TO value} when the settings were taken before that first write ({@link
     * KnownSettings#takeAtStart}): the recording holds the SET where it ran, and it does the same on the applier's
     * connection ({@link SettingAssignments}); a {@code SET LOCAL lock_timeout} in the middle of a transaction is
     * common.
     */
    /** Notes the custom settings the request's statements name, ahead of {@link #beforeRequest}. */
    void settingNamesIn(UnitPlan plan) {
        for (String sql : plan.executedSql()) {
            settings.namesIn(sql, context.classifications().classify(sql));
        }
    }

    void beforeRequest(UnitPlan plan) {
        boolean afterWrites = recording != null && recording.hasWrites();
        resetInRequest = null;
        for (String sql : plan.executedSql()) {
            Classification classification = context.classifications().classify(sql);
            settings.beforeStatement(sql, classification);
            if (replays()) {
                if (classification.kind() == StatementKind.SESSION || classification.statements().size() > 1) {
                    refuseResets(sql);
                }
                for (Classification statement : classification.statements()) {
                    if (statement.preparedVerb() == PreparedStatementVerb.EXECUTE && statement.preparedName() != null) {
                        executedPrepares.add(statement.preparedName());
                    }
                }
            }
            if (afterWrites && changesSettings(classification)
                    && !(settings.takenAtStart() && SettingAssignments.only(sql))) {
                recording.refuse("it changes the session's settings after its first write, and its queue entry would "
                        + "replay those writes under the settings at its end");
                afterWrites = false;
            }
        }
    }

    /**
     * A RESET (or {@code SET … TO DEFAULT}) of a setting that changes what statements read or write: replayed, it
     * goes back to the applier's own start-up value, which is not the session's where the session's start-up packet or
     * role gave it one ({@code options=-c search_path=app}), and the entry's context, set before the stream, does not
     * reach past it. Kept out of the queue, loudly, like a change of settings after the first write.
     */
    private void refuseResets(String sql) {
        for (String name : SettingAssignments.resets(sql)) {
            if (name.equals(SettingAssignments.ALL) || LoginSettings.changesValues(name)) {
                resetInRequest = "it resets " + (name.equals(SettingAssignments.ALL) ? "every setting" : name)
                        + ", which its replay would set to the applier's own start-up value, not the session's";
                if (recording != null) {
                    recording.refuse(resetInRequest);
                }
                return;
            }
        }
    }

    static boolean changesSettings(Classification classification) {
        for (Classification statement : classification.statements()) {
            for (String call : statement.functionCalls()) {
                if (call.equals("set_config") || call.endsWith(".set_config")) {
                    return true;
                }
            }
            // SET, RESET, DISCARD (and LISTEN, LOAD: kept out of the queue too, which is loud, never silent).
            if (statement.kind() == StatementKind.SESSION && statement.preparedVerb() != PreparedStatementVerb.PREPARE
                    && statement.preparedVerb() != PreparedStatementVerb.DEALLOCATE) {
                return true;
            }
        }
        return false;
    }

    /** Marks the tables divergent in the source's {@code exodus.divergent_tables}, for status and repair. */
    void markDivergent(Collection<String> tables, String reason) {
        for (String table : tables) {
            LOG.warnf("Table %s of database \"%s\" is marked divergent: %s", table, login.database(), reason);
            replay.markDivergent(login.database(), table, reason).onFailure(failure -> LOG.errorf(
                    "Could not mark table %s divergent: %s", table, failure.getMessage()));
        }
    }
}
