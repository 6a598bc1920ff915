package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.catchup.TransactionRecording;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.sql.TransactionVerb;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Map;

/**
 * Session state and transaction boundaries ({@link UnitShape#CONCURRENT}): both legs at once, the client sees the
 * primary's answer. These requests hold no row locks, so they need no lockstep; the client does not wait for the
 * secondary, whose failure is handled when its answer arrives, like one of a write applied behind the primary. One
 * instance serves the session, so that a request costs no more objects than its own.
 */
final class ConcurrentWrite {
    /** What the primary will answer to a BEGIN it gets with the transaction's first statement. */
    private static final LegReply BEGUN = new LegReply(TransactionStatus.IN_TRANSACTION, null, List.of("BEGIN"), false);

    private final SessionParts parts;
    private final SessionContext context;

    private final CurrentTransaction transaction;

    private final Legs legs;
    private final ClientReply client;
    private final DualWriteServices dual;
    private final StatementBook book;
    private final SecondaryTransaction secondaryTransaction;

    ConcurrentWrite(SessionParts parts) {
        this.parts = parts;
        this.context = parts.context();
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.client = context.client();
        this.dual = context.dual();
        this.book = context.book();
        this.secondaryTransaction = parts.secondaryTransaction();
    }

    Future<Void> run(UnitPlan plan) {
        Leg primary = legs.primary();
        transaction.beginIfIdle();
        // Decide before sending: an answer may be read as soon as the request is written. A primary whose transaction
        // failed refuses everything but a rollback; the secondary, which never saw the failure (a read), would carry
        // out what the primary refuses (a RELEASE, a SAVEPOINT) and differ from it from then on.
        boolean refusedByPrimary = primary.transactionStatus() == TransactionStatus.FAILED && !rollsBack(plan);
        Leg leg = !refusedByPrimary && parts.secondaryConnection().usableAtBoundary() ? legs.secondary() : null;
        SecondaryRequests.PrimaryRequest request = context.requests().primary(plan, 0, primary.unnamedStatementLive());
        HeldReply held = new HeldReply(0);
        boolean beginLater = primary.transactionStatus() == TransactionStatus.IDLE && PlainBeginRequest.is(plan, book);
        Future<LegReply> onPrimary;
        Buffer answer;
        if (beginLater) {
            primary.beginLater(request.buffer());
            onPrimary = Future.succeededFuture(BEGUN);
            answer = ReplySynthesizer.success(plan.messages(), "BEGIN", TransactionStatus.IN_TRANSACTION);
        } else {
            onPrimary = primary.send(request.buffer(), 1, request.answersTo(held));
            answer = null;
        }
        // A transaction this request starts or continues is recorded in case the queue needs it later.
        QueueHandoff queue = parts.queue();
        TransactionRecording recordInto = !queue.replays() ? null
                : queue.currentRecording() != null ? queue.currentRecording() : queue.newRecording();
        SecondaryRequests.SecondaryRequest toSecondary = leg == null && recordInto == null ? null
                : context.requests().secondary(plan, List.of(), Map.of(), List.of(),
                        recordInto == null ? null : recordInto.preparedHere());
        if (leg == null) {
            return onPrimary.map(reply -> {
                client.add(answer != null ? answer : held.asIs());
                context.recordSessionState(plan, reply);
                recordForQueue(recordInto, toSecondary, reply);
                return null;
            });
        }
        // Inside a transaction, or starting one, nobody waits for the secondary's answer before the transaction ends;
        // outside, a canary read may want the secondary next, once it has answered.
        boolean holdBack = primary.transactionStatus().inBlock() || beginsTransaction(plan);
        Future<LegReply> onSecondary = holdBack ? leg.sendLater(toSecondary.buffer(), 1, Leg.DISCARD)
                : leg.send(toSecondary.buffer(), 1, Leg.DISCARD);
        long serial = transaction.serial();
        // The client need not wait for the secondary's BEGIN, SET or SAVEPOINT: its connection keeps them ahead of
        // whatever follows, and a failure there is handled like one of a write applied behind the primary. Inside a
        // transaction they are written with the secondary's next request that somebody waits for (Leg.sendLater).
        return onPrimary.map(p -> {
            client.add(answer != null ? answer : held.asIs());
            context.recordSessionState(plan, p);
            recordForQueue(recordInto, toSecondary, p);
            boolean inTransaction = primary.transactionStatus().inBlock();
            if (!inTransaction) {
                leg.flush(); // a BEGIN that failed
            }
            secondaryTransaction.takesPart(leg.isOpen() && inTransaction);
            onSecondary.onSuccess(s -> {
                if (!p.failed() && s.failed()) {
                    Divergence.Kind kind = s.lostConnection() ? Divergence.Kind.SECONDARY_LOST
                            : Divergence.Kind.SECONDARY_ERROR;
                    if (inTransaction && serial == transaction.serial()) {
                        secondaryTransaction.failedBehind(kind, plan, p, s, s.error() == null || s.lostConnection()
                                ? ErrorResponse.error(SqlState.CONNECTION_FAILURE, "the connection to the target was "
                                        + "lost during the transaction; it is rolled back on both databases")
                                : s.error());
                    } else {
                        transaction.divergence(kind, plan, p, s);
                        // The session's state (a SET, a PREPARE) now differs between the two: a later statement
                        // would run on the secondary under other settings. A new connection gets the primary's.
                        parts.secondaryConnection().dropForSessionState(leg, CurrentTransaction.describe(s));
                    }
                } else if (p.failed() && !s.failed() && !inTransaction && leg.isOpen()
                        && leg.transactionStatus().inBlock()) {
                    leg.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
                }
            });
            return null;
        });
    }

    /** Whether the request's first statement is a ROLLBACK or ROLLBACK TO SAVEPOINT: what a failed transaction takes. */
    private boolean rollsBack(UnitPlan plan) {
        List<String> texts = plan.executedSql();
        if (texts.isEmpty() || texts.get(0) == null) {
            return false;
        }
        TransactionVerb verb = context.classifications().classify(texts.get(0)).statements().get(0).transactionVerb();
        return verb == TransactionVerb.ROLLBACK || verb == TransactionVerb.ROLLBACK_TO_SAVEPOINT;
    }

    private boolean beginsTransaction(UnitPlan plan) {
        return plan.simple() && context.classifications().classify(plan.statementText()).transactionVerb()
                == TransactionVerb.BEGIN;
    }

    private void recordForQueue(TransactionRecording into, SecondaryRequests.SecondaryRequest request,
            LegReply primaryReply) {
        if (into != null && !primaryReply.failed() && legs.primary().transactionStatus().inBlock()) {
            parts.queue().adopt(into);
            into.add(request.replay(), 1, primaryReply.commandTags(), false);
        }
    }
}
