package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.consistency.CommitDecisionLog;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.metrics.CommitStep;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.function.Consumer;

/**
 * Policy two-phase-commit's end of a transaction that wrote on both legs: the decision row and {@code PREPARE
 * TRANSACTION} on the primary (one round trip), {@code PREPARE TRANSACTION} on the secondary, {@code COMMIT PREPARED}
 * on the primary (the decision is durable from here: the decision row exists exactly when the primary committed),
 * then on the secondary. A failure before the decision rolls both back and the client gets the original error; after
 * it, the recovery task finishes what is left.
 */
final class TwoPhaseCommit {
    private static final Logger LOG = Logger.getLogger(TwoPhaseCommit.class);

    private final SessionContext context;
    private final Legs legs;
    private final DualWriteServices dual;
    private final SecondaryTransaction secondaryTransaction;
    private final CommitSteps steps;

    TwoPhaseCommit(SessionContext context, SecondaryTransaction secondaryTransaction, CommitSteps steps) {
        this.context = context;
        this.legs = context.legs();
        this.dual = context.dual();
        this.steps = steps;
        this.secondaryTransaction = secondaryTransaction;
    }

    /**
     * Both PREPAREs go out at once: nothing is decided before the primary's COMMIT PREPARED, so a PREPARE that
     * fails on either side just rolls both back; the round trip saved is one of five.
     *
     * @param primaryAnswer  what takes the primary's answer to its PREPARE TRANSACTION (the notices of deferred
     *                       triggers, which fire there, are the client's)
     * @param decided        told the client's answer (null: committed) as soon as it is known
     * @param outcomeUnknown run before {@code decided} when the deciding COMMIT PREPARED lost its connection
     */
    Future<Void> commit(ConsistencyPolicy policy, Leg.Sink primaryAnswer, Consumer<ErrorResponse> decided,
            Runnable outcomeUnknown) {
        Leg primary = legs.primary();
        Leg secondary = legs.secondary();
        String gid = dual.transactionIds().next(legs.primarySide());
        String quotedGid = "'" + gid + "'";
        return onThisEventLoop(dual.decisions().ensure(legs.primarySide(), legs.database())).compose(ready -> {
            long preparing = System.nanoTime();
            Future<LegReply> onPrimary = primary.send(FrontendMessages.query(
                    CommitDecisionLog.recordSql(gid) + ";\nPREPARE TRANSACTION " + quotedGid), 1, primaryAnswer);
            Future<LegReply> onSecondary = secondary.send(
                    FrontendMessages.query("PREPARE TRANSACTION " + quotedGid), 1, Leg.DISCARD);
            return Future.all(onPrimary, onSecondary).compose(both -> {
                steps.took(CommitStep.PREPARE, preparing);
                LegReply p = onPrimary.result();
                if (p.failed()) {
                    steps.primaryEnded();
                    // A deferred constraint fails here: the primary has rolled back; so must the secondary.
                    decided.accept(p.error());
                    if (primary.transactionStatus().inBlock()) {
                        primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
                    }
                    return undoSecondaryPrepare(secondary, onSecondary.result(), quotedGid);
                }
                return afterSecondaryPrepared(policy, gid, quotedGid, onSecondary.result(), decided, outcomeUnknown);
            });
        }, failure -> {
            decided.accept(ErrorResponse.error(SqlState.INTERNAL_ERROR,
                    "Exodus could not prepare its commit decision log: " + failure.getMessage()));
            primary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
            return secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD).mapEmpty();
        });
    }

    /**
     * The decision log answers on its control pool's event loop; the session's legs may only be used on the
     * session's own, so the continuation comes back there.
     */
    private static <T> Future<T> onThisEventLoop(Future<T> future) {
        Context session = Vertx.currentContext();
        if (session == null) {
            return future;
        }
        Promise<T> here = Promise.promise();
        future.onComplete(result -> session.runOnContext(v -> here.handle(result)));
        return here.future();
    }

    private static Future<Void> undoSecondaryPrepare(Leg secondary, LegReply prepared, String quotedGid) {
        if (!secondary.isOpen()) {
            return Future.succeededFuture();
        }
        String undo = prepared.failed() ? (secondary.transactionStatus() == TransactionStatus.IDLE ? null : "ROLLBACK")
                : "ROLLBACK PREPARED " + quotedGid;
        return undo == null ? Future.succeededFuture()
                : secondary.send(FrontendMessages.query(undo), 1, Leg.DISCARD).mapEmpty();
    }

    private Future<Void> afterSecondaryPrepared(ConsistencyPolicy policy, String gid, String quotedGid,
            LegReply onSecondary, Consumer<ErrorResponse> decided, Runnable outcomeUnknown) {
        Leg primary = legs.primary();
        Leg secondary = legs.secondary();
        if (onSecondary.failed()) {
            ErrorResponse error = onSecondary.lostConnection()
                    ? ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                            "the connection to the " + legs.primarySide().other().configName()
                                    + " was lost during PREPARE TRANSACTION; the transaction is "
                                    + "rolled back on both databases (policy two-phase-commit)")
                    : onSecondary.error();
            dual.divergences().record(Divergence.Kind.SECONDARY_ERROR, policy, "PREPARE TRANSACTION",
                    "prepared", error.sqlState() + " " + error.message());
            decided.accept(error);
            if (secondary != null && secondary.isOpen() && secondary.transactionStatus().inBlock()) {
                secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
            }
            return primary.send(FrontendMessages.query("ROLLBACK PREPARED " + quotedGid), 1, Leg.DISCARD).mapEmpty();
        }
        long committing = System.nanoTime();
        return primary.send(FrontendMessages.query("COMMIT PREPARED " + quotedGid), 1, Leg.DISCARD).compose(committed -> {
            steps.took(CommitStep.COMMIT_PREPARED, committing);
            steps.primaryEnded();
            if (committed.failed()) {
                if (committed.lostConnection()) {
                    outcomeUnknown.run();
                    decided.accept(ErrorResponse.error(SqlState.CONNECTION_FAILURE,
                            "the connection to the " + legs.primarySide().configName()
                                    + " was lost during COMMIT PREPARED; Exodus' recovery commits "
                                    + "or rolls back transaction " + gid + " on both databases"));
                    return Future.succeededFuture();
                }
                decided.accept(committed.error());
                primary.send(FrontendMessages.query("ROLLBACK PREPARED " + quotedGid), 1, Leg.DISCARD);
                return secondary.send(FrontendMessages.query("ROLLBACK PREPARED " + quotedGid), 1, Leg.DISCARD)
                        .mapEmpty();
            }
            decided.accept(null);
            secondary.send(FrontendMessages.query("COMMIT PREPARED " + quotedGid), 1, Leg.DISCARD).onSuccess(done -> {
                if (done.failed()) {
                    LOG.warnf("%s: COMMIT PREPARED %s failed on the %s (%s); the recovery task finishes it",
                            context.label(), gid, legs.primarySide().other().configName(), done.error().message());
                }
            });
            secondaryTransaction.ended();
            return Future.succeededFuture();
        });
    }
}
