package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.catchup.TransactionRecording;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.metrics.CommitOutcome;
import io.exodus.proxy.metrics.CommitStep;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Ends a transaction that wrote on both legs, as the consistency policy says. The client hears the outcome as soon
 * as it is decided; the other leg's part that cannot change it any more (the second COMMIT, COMMIT PREPARED on the
 * secondary) finishes before the session takes its next request.
 *
 * <ul>
 * <li>Two-phase commit: {@link TwoPhaseCommit}.</li>
 * <li>Otherwise: the authoritative leg commits first ({@link ConsistencyPolicy#secondaryCommitsFirst}); if it fails,
 * the other rolls back and the client gets its error; if the second fails, that is a divergence handled by the
 * policy.</li>
 * </ul>
 */
final class TransactionCommit {
    private static final Logger LOG = Logger.getLogger(TransactionCommit.class);

    private final SessionContext context;
    private final SecondaryConnection secondaryConnection;

    private final CurrentTransaction transaction;

    private final Legs legs;
    private final ClientReply client;
    private final DualWriteServices dual;
    private final QueueHandoff queue;
    private final SecondaryTransaction secondaryTransaction;
    private final TwoPhaseCommit twoPhase;
    private final CommitSteps steps;
    /** Why the current transaction cannot end with PREPARE TRANSACTION (see {@link #beforeRequest}), or null. */
    private String unpreparable;
    private final MarkerReadAhead readAhead;
    /** Set when the deciding step lost its connection: nobody knows whether it committed until recovery runs. */
    private boolean outcomeUnknown;

    TransactionCommit(SessionContext context, QueueHandoff queue, SecondaryTransaction secondaryTransaction,
            SecondaryConnection secondaryConnection) {
        this.secondaryConnection = secondaryConnection;
        this.context = context;
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.client = context.client();
        this.dual = context.dual();
        this.queue = queue;
        this.secondaryTransaction = secondaryTransaction;
        this.steps = new CommitSteps(dual.metrics());
        this.readAhead = new MarkerReadAhead(context, dual.functions().of(legs.database()));
        this.twoPhase = new TwoPhaseCommit(context, secondaryTransaction, steps);
    }

    /** The primary answered a write of the current transaction: its rows are locked there from now on. */
    void primaryWrote() {
        steps.primaryWrote();
    }

    /**
     * A write of the client's open transaction that the secondary applies behind the primary: the first one reads
     * what the commit marker needs of the primary's transaction, written with the client's next request (see
     * {@link PrimaryTransactionRead}). Only where the commit reads it: not under two-phase-commit, nor where the
     * primary commits first without a queue.
     */
    void secondaryBehind() {
        if (readAhead.madeForThisTransaction() || transaction.policy().usesTwoPhaseCommit() || queue.catchUp() == null
                || !queue.canQueue() && !transaction.policy().secondaryCommitsFirst(legs.secondaryIsTarget())
                || legs.primary().transactionStatus() != TransactionStatus.IN_TRANSACTION
                || !queue.catchUp().commitMarkersReady(legs.database())) {
            return;
        }
        readAhead.afterWrite(queue.catchUp().primaryOutcomesReadable(legs.database()));
    }

    /**
     * The client's own COMMIT (or END), once the secondary has caught up with the transaction's statements. Under a
     * policy that queues, the secondary's COMMIT need not wait for that: it travels behind the statements on the same
     * connection, and one that failed turns it into a rollback, after which the transaction goes to the queue; a
     * statement that changed other rows than on the primary is reported when its answer arrives, and the secondary's
     * COMMIT decides whether the transaction is there (then it is not queued again).
     */
    Future<Void> clientCommit(UnitPlan plan, boolean chained) {
        if (commitsSecondaryAhead()) {
            return commitCaughtUp(plan, chained);
        }
        return legs.secondaryDrained().compose(v -> commitCaughtUp(plan, chained));
    }

    private boolean commitsSecondaryAhead() {
        Leg secondary = legs.secondary();
        TransactionRecording recording = queue.recording();
        return legs.primary().transactionStatus() == TransactionStatus.IN_TRANSACTION && !queue.queueTransaction()
                && queue.canQueue()
                && secondaryTransaction.takesPart() && secondary != null && secondary.isOpen()
                && recording != null && recording.hasWrites() && !recording.overflowed()
                && secondaryTransaction.deferredFailure() == null
                && queue.catchUp().commitMarkersReady(legs.database());
    }

    /**
     * @param chained the client's COMMIT AND CHAIN: where its own statement goes to the primary, which then chains by
     *                itself, the secondary chains too; elsewhere {@link ChainedEnd} begins the next transaction
     */
    private Future<Void> commitCaughtUp(UnitPlan plan, boolean chained) {
        CommitRoute route = route();
        Leg primary = legs.primary();
        if (route == CommitRoute.QUEUE) {
            return commitQueued(plan);
        }
        if (!route.answeredByPrimary()) {
            // Exodus answers this COMMIT itself, ParseComplete included: the statement the client parsed (pgJDBC
            // names its COMMIT after a few uses) must exist on the primary all the same.
            Buffer statements = ReplySynthesizer.statementsOnly(plan.messages());
            if (statements != null) {
                primary.send(statements, 1, Leg.DISCARD);
            }
        }
        ConsistencyPolicy policy = transaction.policy();
        switch (route) {
            case FAIL_AFTER_FAILURE_BEHIND:
            case PRIMARY_AFTER_FAILURE_BEHIND:
                return afterSecondaryFailedBehind(plan, route);
            case FAIL_FOR_LOST_SECONDARY: {
                // The secondary was lost after it applied part of this transaction: it cannot commit anywhere.
                ErrorResponse error = ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                        "the " + legs.secondaryName() + " database was lost during the transaction; it is rolled back "
                                + "on both databases (policy " + policy.configName() + ")");
                return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD).map(r -> {
                    client.add(ReplySynthesizer.failure(plan.messages(), error, TransactionStatus.IDLE));
                    return null;
                });
            }
            case PRIMARY_ANSWERS: {
                // A failed transaction (COMMIT means ROLLBACK), one the secondary left, or one that only read: the
                // client's COMMIT goes to the primary as it is, and the secondary ends its part at the same time.
                String end = (primary.transactionStatus() == TransactionStatus.IN_TRANSACTION ? "COMMIT" : "ROLLBACK")
                        + (chained ? " AND CHAIN" : "");
                Future<LegReply> onPrimary = context.primaryAnswersClient(plan, 0);
                if (secondaryTakesPart()) {
                    legs.secondary().send(FrontendMessages.query(end), 1, Leg.DISCARD);
                    if (!chained) {
                        secondaryTransaction.ended();
                    }
                } else {
                    secondaryTransaction.drop();
                }
                return onPrimary.mapEmpty();
            }
            default:
                return commitBoth(policy, client.noticesOnly(), error -> client.add(error == null
                        ? ReplySynthesizer.success(plan.messages(), "COMMIT", TransactionStatus.IDLE)
                        : ReplySynthesizer.failure(plan.messages(), error, TransactionStatus.IDLE)));
        }
    }

    /**
     * How the client's COMMIT ends the current transaction, decided once from the primary's status, the secondary's
     * part in the transaction and the policy.
     */
    private CommitRoute route() {
        Leg primary = legs.primary();
        boolean open = primary.transactionStatus() == TransactionStatus.IN_TRANSACTION;
        TransactionRecording recording = queue.recording();
        if (open && recording != null && recording.hasWrites()
                && (queue.queueTransaction() || !secondaryTransaction.takesPart()) && queue.canQueue()) {
            return CommitRoute.QUEUE;
        }
        boolean failsClient = transaction.policy().secondaryFailureFailsClient(legs.secondaryIsTarget());
        if (open && secondaryTransaction.deferredFailure() != null) {
            return failsClient ? CommitRoute.FAIL_AFTER_FAILURE_BEHIND : CommitRoute.PRIMARY_AFTER_FAILURE_BEHIND;
        }
        boolean takesPart = secondaryTakesPart();
        if (open && secondaryTransaction.wrote() && !takesPart && failsClient) {
            return CommitRoute.FAIL_FOR_LOST_SECONDARY;
        }
        if (!open || !takesPart || !secondaryTransaction.wrote()) {
            return CommitRoute.PRIMARY_ANSWERS;
        }
        return CommitRoute.BOTH;
    }

    private boolean secondaryTakesPart() {
        Leg secondary = legs.secondary();
        return secondaryTransaction.takesPart() && secondary != null && secondary.isOpen();
    }

    /**
     * A transaction the secondary missed part of: it commits on the primary with its queue entry, and the replayer
     * brings it to the secondary. Exodus answers the client's COMMIT (the entry's INSERT runs in the same query).
     */
    private Future<Void> commitQueued(UnitPlan plan) {
        queue.queueCurrentTransaction("the target left the transaction before its COMMIT");
        Leg primary = legs.primary();
        Buffer statements = ReplySynthesizer.statementsOnly(plan.messages());
        if (statements != null) {
            primary.send(statements, 1, Leg.DISCARD);
        }
        long started = System.nanoTime();
        ConsistencyPolicy policy = transaction.policy();
        steps.began(policy);
        return queue.queuedCommitSql(plan.fingerprint())
                .compose(sql -> {
                    steps.took(CommitStep.PRIMARY_READ, started);
                    return primaryCommit(FrontendMessages.query(sql), client.noticesOnly());
                })
                .map(c -> {
                    if (c.failed()) {
                        // The client sees the server's error as it would directly (a deferred constraint failing
                        // at COMMIT is the usual cause); that it came with the queue entry is for the log.
                        LOG.infof("%s: the transaction's COMMIT with its queue entry failed (%s): %s", context.label(),
                                c.error().sqlState(), c.error().message());
                        client.add(ReplySynthesizer.failure(plan.messages(), c.error(), TransactionStatus.IDLE));
                    } else {
                        queue.queuedTransactionCommitted();
                        client.add(ReplySynthesizer.success(plan.messages(), "COMMIT", TransactionStatus.IDLE));
                    }
                    dual.metrics().commit(policy, c.failed() ? CommitOutcome.ROLLED_BACK : CommitOutcome.COMMITTED,
                            started);
                    return null;
                });
    }

    /** A statement failed on the secondary after the client had its answer: the route says what the policy decided. */
    private Future<Void> afterSecondaryFailedBehind(UnitPlan plan, CommitRoute route) {
        ErrorResponse failure = secondaryTransaction.deferredFailure();
        secondaryTransaction.drop();
        if (route == CommitRoute.FAIL_AFTER_FAILURE_BEHIND) {
            return legs.primary().send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD).map(r -> {
                client.add(ReplySynthesizer.failure(plan.messages(), failure, TransactionStatus.IDLE));
                return null;
            });
        }
        if (transaction.policy().pinsSessionAfterSecondaryFailure()) {
            secondaryConnection.pinToPrimary();
        }
        return context.primaryAnswersClient(plan, 0).mapEmpty();
    }

    /**
     * Before each request: notes whether the transaction it belongs to can still end with PREPARE TRANSACTION (a new
     * one can, until it touches a temporary object or notifications). Only under two-phase-commit, which needs it.
     */
    void beforeRequest(UnitPlan plan) {
        if (legs.primary().transactionStatus() == TransactionStatus.IDLE) {
            unpreparable = null;
            steps.outsideTransaction();
        }
        readAhead.beforeRequest(plan);
        if (unpreparable != null || !transaction.policy().usesTwoPhaseCommit()) {
            return;
        }
        for (String sql : plan.executedSql()) {
            unpreparable = context.temporaryTables().whyNotPreparable(sql);
            if (unpreparable != null) {
                return;
            }
        }
    }

    /** The current transaction cannot end with PREPARE TRANSACTION, for this reason. */
    void cannotPrepare(String why) {
        if (unpreparable == null) {
            unpreparable = why;
        }
    }

    /** The end of an autocommit write that Exodus wrapped in a transaction on both legs. */
    Future<Void> commitWrapped(HeldReply held, UnitPlan plan) {
        return commitBoth(transaction.policy(), held.collectingCommitNotices(client.noticesOnly()),
                error -> client.add(error == null
                ? held.withFinalStatus(TransactionStatus.IDLE)
                : failureAfterPrimaryRan(plan, error)));
    }

    /** An autocommit write the primary carried out, Parse included, answered with an error after all. */
    private Buffer failureAfterPrimaryRan(UnitPlan plan, ErrorResponse error) {
        Buffer closes = ReplySynthesizer.closeNamedStatements(plan.messages());
        if (closes != null) {
            legs.primary().send(closes, 1, Leg.DISCARD);
        }
        return ReplySynthesizer.failure(error, TransactionStatus.IDLE);
    }

    /**
     * @param primaryAnswer what takes the primary's answers to the COMMIT (or PREPARE TRANSACTION) Exodus sends: its
     *                      notices are the client's
     */
    private Future<Void> commitBoth(ConsistencyPolicy policy, Leg.Sink primaryAnswer,
            Consumer<ErrorResponse> decided) {
        long started = System.nanoTime();
        steps.began(policy);
        outcomeUnknown = false;
        Consumer<ErrorResponse> tellClient = error -> {
            dual.metrics().commit(policy, error == null ? CommitOutcome.COMMITTED
                    : outcomeUnknown ? CommitOutcome.FAILED : CommitOutcome.ROLLED_BACK, started);
            decided.accept(error);
            client.flush();
        };
        if (legs.secondary() == null) {
            return primaryAlone(policy, primaryAnswer, tellClient);
        }
        if (policy.usesTwoPhaseCommit() && unpreparable != null) {
            // PostgreSQL would refuse the PREPARE (the transaction is then rolled back there): the secondary commits
            // first, and the primary only if it did, so that neither or both commit but for a crash in between.
            LOG.debugf("%s: committed without two-phase commit: %s", context.label(), unpreparable);
            return ordered(policy, primaryAnswer, tellClient, true);
        }
        return policy.usesTwoPhaseCommit()
                ? twoPhase.commit(policy, primaryAnswer, tellClient, () -> outcomeUnknown = true)
                : ordered(policy, primaryAnswer, tellClient, policy.secondaryCommitsFirst(legs.secondaryIsTarget()));
    }

    /** The secondary went away after it applied the transaction's writes, before the commit. */
    private Future<Void> primaryAlone(ConsistencyPolicy policy, Leg.Sink primaryAnswer,
            Consumer<ErrorResponse> decided) {
        Leg primary = legs.primary();
        if (policy.secondaryFailureFailsClient(legs.secondaryIsTarget())) {
            decided.accept(ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                    "the " + legs.secondaryName() + " database was lost before COMMIT; the transaction is rolled "
                            + "back on both databases (policy " + policy.configName() + ")"));
            return primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD).mapEmpty();
        }
        dual.divergences().record(Divergence.Kind.SECONDARY_LOST, policy, "COMMIT", "committing on the "
                + primary.database(), "the " + legs.secondaryName() + " was lost before COMMIT");
        return primaryCommit(FrontendMessages.query("COMMIT"), primaryAnswer).map(c -> {
            decided.accept(c.failed() ? c.error() : null);
            return null;
        });
    }

    /** The primary's COMMIT (with what it carries), timed as the step that ends the transaction's row locks. */
    private Future<LegReply> primaryCommit(Buffer commit, Leg.Sink answer) {
        long started = System.nanoTime();
        return legs.primary().send(commit, 1, answer).onComplete(done -> {
            steps.took(CommitStep.PRIMARY_COMMIT, started);
            steps.primaryEnded();
        });
    }

    /** The secondary's COMMIT (with its held-back statements and its marker), timed as a step. */
    private Future<LegReply> secondaryCommit(Leg secondary, String commit) {
        long started = System.nanoTime();
        return secondary.send(FrontendMessages.query(commit), 1, Leg.DISCARD)
                .onComplete(done -> steps.took(CommitStep.SECONDARY_COMMIT, started));
    }

    /** {@link SecondaryCommit#choose}, timed as the step that reads the primary's transaction. */
    private Future<SecondaryCommit> chosenCommit(boolean markerWithoutId,
            Supplier<Collection<String>> tables) {
        long started = System.nanoTime();
        return SecondaryCommit.choose(queue, legs.primary(), legs.database(), markerWithoutId, tables,
                readAhead.take())
                .onComplete(done -> steps.took(CommitStep.PRIMARY_READ, started));
    }

    private Future<Void> ordered(ConsistencyPolicy policy, Leg.Sink primaryAnswer, Consumer<ErrorResponse> decided,
            boolean secondaryFirst) {
        TransactionRecording recording = queue.canQueue() ? queue.recording() : null;
        // A transaction too large to queue too: its marker finds it should the primary not commit after the
        // secondary, and a secondary that does not commit is reported with its tables marked (not queued).
        if (recording != null && recording.hasWrites()) {
            return secondaryThenPrimary(policy, recording, primaryAnswer, decided);
        }
        if (!secondaryFirst) {
            return ordered(policy, primaryAnswer, decided, false, "COMMIT", false);
        }
        // The secondary decides (new-authoritative before the cutover, a transaction two-phase-commit cannot
        // prepare): its marker names the primary's transaction, which may yet not commit. Its tables are not known:
        // these policies record no statements.
        return chosenCommit(false, () -> null)
                .compose(commit -> commit.failedRead() != null ? failedBeforeCommit(commit.failedRead(), decided)
                        : ordered(policy, primaryAnswer, decided, true, commit.sql(), commit.outcomeFollowed()));
    }

    /** Reading the primary's transaction failed (its connection lost, mostly): nothing commits anywhere. */
    private Future<Void> failedBeforeCommit(LegReply read, Consumer<ErrorResponse> decided) {
        Leg primary = legs.primary();
        decided.accept(read.lostConnection() ? ErrorResponse.error(SqlState.CONNECTION_FAILURE, "the connection to the "
                + primary.database() + " was lost before COMMIT; the transaction is rolled back") : read.error());
        secondaryTransaction.drop();
        return read.lostConnection() ? Future.succeededFuture()
                : primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD).mapEmpty();
    }

    /**
     * @param commitOnFirst   the first leg's COMMIT, with the secondary's marker when it goes first
     * @param outcomeFollowed the marker names the primary's transaction: a primary that does not commit after the
     *                        secondary is reported once its outcome is read ({@code CommitOutcomes})
     */
    private Future<Void> ordered(ConsistencyPolicy policy, Leg.Sink primaryAnswer, Consumer<ErrorResponse> decided,
            boolean secondaryFirst, String commitOnFirst, boolean outcomeFollowed) {
        Leg first = secondaryFirst ? legs.secondary() : legs.primary();
        Leg second = secondaryFirst ? legs.primary() : legs.secondary();
        if (first == null || second == null) {
            // The secondary was lost while the marker was made ready or the primary's id read.
            return primaryAlone(policy, primaryAnswer, decided);
        }
        Future<LegReply> onFirst = secondaryFirst ? secondaryCommit(first, commitOnFirst)
                : primaryCommit(FrontendMessages.query(commitOnFirst), primaryAnswer);
        return onFirst.compose(f -> {
            if (outcomeFollowed) {
                queue.catchUp().outcomeToRead(legs.database());
            }
            if (f.failed() || f.commandTags().contains("ROLLBACK")) {
                ErrorResponse error = f.error() != null ? f.error()
                        : ErrorResponse.error(SqlState.CONNECTION_FAILURE, "COMMIT failed on the " + first.database());
                if (f.lostConnection()) {
                    outcomeUnknown = true;
                    error = ErrorResponse.error(SqlState.CONNECTION_FAILURE, "the connection to the " + first.database()
                            + " was lost during COMMIT; the transaction is rolled back on the " + second.database());
                }
                decided.accept(error);
                return second.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD).mapEmpty();
            }
            if (!secondaryFirst) {
                decided.accept(null);
            }
            Future<LegReply> secondCommit = secondaryFirst
                    ? primaryCommit(FrontendMessages.query("COMMIT"), primaryAnswer)
                    : second.send(FrontendMessages.query("COMMIT"), 1, Leg.DISCARD);
            Future<Void> checked = secondCommit.map(s -> {
                if (s.failed() && outcomeFollowed) {
                    LOG.infof("%s: the %s's COMMIT failed after the %s's (%s); the commit marker tells later "
                            + "whether the transaction is on the %s only", context.label(), second.database(),
                            first.database(), s.error().message(), first.database());
                } else if (s.failed()) {
                    dual.divergences().record(Divergence.Kind.COMMIT_FAILED, policy, "COMMIT",
                            "committed on the " + first.database(), s.error().sqlState() + " " + s.error().message());
                    if (second == legs.secondary() && policy.pinsSessionAfterSecondaryFailure()) {
                        secondaryConnection.pinToPrimary();
                    }
                }
                if (secondaryFirst) {
                    // Decided by the secondary, told once the primary has committed too: after its notices.
                    decided.accept(null);
                }
                return null;
            });
            if (secondaryFirst) {
                return checked;
            }
            // The secondary's COMMIT changes nothing the client was told: the session goes on while it travels
            // (the secondary's connection keeps it ahead of whatever comes next).
            secondaryTransaction.ended();
            return Future.succeededFuture();
        });
    }

    /**
     * Under a policy that queues what the secondary misses, the secondary commits first: if it does not, the
     * transaction goes to the queue inside the primary's own transaction (the entry commits with it, and gets its
     * place in the queue while the primary still holds the transaction's row locks). When the secondary's connection
     * was lost during its COMMIT, the entry carries the secondary's transaction id, and the replayer asks the
     * secondary whether it committed before applying it. The price: the client waits for both COMMITs in turn, and
     * a primary COMMIT that fails after the secondary's (a serialization failure at commit, a lost connection), or a
     * proxy stopped between the two, leaves the transaction on the secondary only. The secondary's marker names the
     * primary's transaction (read just before, one round trip), so that whichever proxy reads the marker next reports
     * such a transaction and marks its tables divergent ({@code CommitOutcomes}).
     */
    private Future<Void> secondaryThenPrimary(ConsistencyPolicy policy, TransactionRecording recording,
            Leg.Sink primaryAnswer, Consumer<ErrorResponse> decided) {
        return chosenCommit(true, recording::tables)
                .compose(commit -> {
                    if (commit.failedRead() != null) {
                        return failedBeforeCommit(commit.failedRead(), decided);
                    }
                    recording.commitMarker(commit.marker());
                    return secondaryThenPrimary(policy, recording, primaryAnswer, decided, commit.sql(),
                            commit.outcomeFollowed());
                });
    }

    /**
     * @param outcomeFollowed the marker names the primary's transaction: should the primary not commit after the
     *                        secondary, {@code CommitOutcomes} reports the transaction and marks its tables
     */
    private Future<Void> secondaryThenPrimary(ConsistencyPolicy policy, TransactionRecording recording,
            Leg.Sink primaryAnswer, Consumer<ErrorResponse> decided, String commit, boolean outcomeFollowed) {
        Leg primary = legs.primary();
        Leg secondary = legs.secondary();
        String database = legs.database();
        Long marker = recording.commitMarker();
        if (secondary == null || !secondary.isOpen()) {
            // Lost while the marker was made ready or the primary's id read: its COMMIT was never sent.
            recording.commitMarker(null);
            secondaryTransaction.drop();
            return queueThenCommitPrimary("the target was lost before its COMMIT", primaryAnswer, decided);
        }
        return secondaryCommit(secondary, commit).compose(s -> {
            if (outcomeFollowed) {
                // Only now is the marker there to read (or may be, when the answer was lost).
                queue.catchUp().outcomeToRead(database);
            }
            boolean committed = !s.failed() && s.commandTags().contains("COMMIT");
            if (marker != null && s.failed() && !s.lostConnection()
                    && SqlState.UNDEFINED_TABLE.equals(s.error().sqlState())) {
                queue.catchUp().commitMarkersLost(database);
            }
            if (committed) {
                secondaryTransaction.ended();
                return primaryCommit(FrontendMessages.query("COMMIT"), primaryAnswer).map(p -> {
                    if (p.failed() && outcomeFollowed) {
                        // Reported once the primary's outcome is known: a COMMIT whose answer was lost may have
                        // committed all the same.
                        outcomeUnknown = p.lostConnection();
                        LOG.infof("%s: the %s's COMMIT failed after the %s's (%s); the commit marker tells later "
                                + "whether the transaction is on the %s only", context.label(), primary.database(),
                                secondary.database(), p.error().message(), secondary.database());
                    } else if (p.failed()) {
                        outcomeUnknown = p.lostConnection();
                        dual.divergences().record(Divergence.Kind.COMMIT_FAILED, policy, "COMMIT",
                                p.error().sqlState() + " " + p.error().message(), "committed on the "
                                        + secondary.database());
                    }
                    decided.accept(p.failed() ? p.error() : null);
                    return null;
                });
            }
            if (s.lostConnection() && recording.commitMarker() == null) {
                // Nobody can tell whether the secondary committed: queueing could apply it twice.
                dual.divergences().record(Divergence.Kind.COMMIT_FAILED, policy, "COMMIT", "committing on the "
                        + primary.database(), "the connection was lost during COMMIT, which carried no marker to tell "
                        + "whether it committed");
                secondaryTransaction.drop();
                return primaryCommit(FrontendMessages.query("COMMIT"), primaryAnswer).map(p -> {
                    decided.accept(p.failed() ? p.error() : null);
                    return null;
                });
            }
            if (!s.lostConnection()) {
                recording.commitMarker(null);
            }
            LOG.infof("%s: the target's COMMIT failed (%s); the transaction goes to the replay queue", context.label(),
                    s.error() == null ? "it rolled back" : s.error().message());
            return queueThenCommitPrimary("the target's COMMIT failed", primaryAnswer, decided);
        });
    }

    /** The secondary did not commit: the transaction commits on the primary with its queue entry. */
    private Future<Void> queueThenCommitPrimary(String why, Leg.Sink primaryAnswer, Consumer<ErrorResponse> decided) {
        queue.queueCurrentTransaction(why);
        return queue.queuedCommitSql("COMMIT")
                .compose(sql -> primaryCommit(FrontendMessages.query(sql), primaryAnswer)).map(p -> {
                    if (!p.failed()) {
                        queue.queuedTransactionCommitted();
                    }
                    outcomeUnknown = p.failed() && p.lostConnection();
                    decided.accept(p.failed() ? p.error() : null);
                    return null;
                });
    }
}
