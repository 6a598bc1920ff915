package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.TransactionVerb;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;

import java.util.List;
import java.util.function.Consumer;

/**
 * {@code COMMIT AND CHAIN} and {@code ROLLBACK AND CHAIN} ({@link UnitShape#CHAINED_END}). The transaction ends exactly
 * as a plain COMMIT or ROLLBACK ends it (every policy's commit protocol, the queue, two-phase commit, a failure on
 * either side), and the next transaction then begins on both legs with the ended one's modes before the client hears
 * one answer: the end's command tag with ReadyForQuery 'T'.
 *
 * <p>The commit protocols end the legs with their own COMMIT, and two-phase commit cannot chain at all ({@code PREPARE
 * TRANSACTION} has no {@code AND CHAIN}), so the next transaction is begun explicitly, with the modes read from the
 * primary before the end. Where the client's own statement reaches the primary (a failed transaction, one that only
 * read, a ROLLBACK), the primary chains by itself, as PostgreSQL decides, and the modes are read from the chained
 * transaction. An end that fails (a deferred constraint at COMMIT) begins nothing, as PostgreSQL does.
 */
final class ChainedEnd {
    private final SecondaryTransaction secondaryTransaction;
    /** The relay forgets what it kept of the transaction that ended, and of one that chained (with whether the
     * secondary chained too). */
    private final Runnable ended;
    private final Consumer<Boolean> chained;
    private final SessionContext context;
    private final CurrentTransaction transaction;
    private final Legs legs;
    private final ClientReply client;
    private final TransactionCommit commits;
    private final ConcurrentWrite concurrentWrites;
    private final UnitPlanner planner;
    private final ClassificationCache classifications;
    /**
     * The modes of the transaction Exodus began itself to chain one (its own BEGIN after the commit protocol's COMMIT),
     * and that transaction's serial: PostgreSQL keeps a chained transaction's modes through a failed statement, but the
     * options of a BEGIN go with the failure, so a later chained end of it must set them again.
     */
    private TransactionCharacteristics begunModes;
    private long begunSerial = -1;

    ChainedEnd(SessionParts parts, ConcurrentWrite concurrentWrites, Runnable ended, Consumer<Boolean> chained) {
        this.context = parts.context();
        this.secondaryTransaction = parts.secondaryTransaction();
        this.ended = ended;
        this.chained = chained;
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.client = context.client();
        this.commits = parts.commits();
        this.concurrentWrites = concurrentWrites;
        this.planner = context.planner();
        this.classifications = context.classifications();
    }

    Future<Void> run(UnitPlan plan) {
        boolean commit = classifications.classify(plan.statementText()).transactionVerb()
                == TransactionVerb.COMMIT_AND_CHAIN;
        Leg primary = legs.primary();
        boolean afterFailureOfBegun = primary.transactionStatus() == TransactionStatus.FAILED && begunModes != null
                && begunSerial == transaction.serial();
        Future<TransactionCharacteristics> before = primary.transactionStatus() == TransactionStatus.IN_TRANSACTION
                ? TransactionCharacteristics.of(primary)
                : Future.succeededFuture(afterFailureOfBegun ? begunModes : null);
        begunModes = null;
        return before.compose(modes -> {
            int replyStart = client.hold();
            Future<Void> ended = commit ? commits.clientCommit(plan, true) : rollback(plan);
            return ended.compose(v -> client.failedFrom(replyStart) ? Future.<Void>succeededFuture()
                    : chain(modes, afterFailureOfBegun)).eventually(() -> {
                        client.release(primary.transactionStatus());
                        return Future.succeededFuture();
                    });
        });
    }

    /** The client's ROLLBACK AND CHAIN goes to the primary as it is; the secondary, if it takes part, chains too. */
    private Future<Void> rollback(UnitPlan plan) {
        Future<Void> onPrimary = context.primaryAnswersClient(plan, 0).mapEmpty();
        Leg secondary = legs.secondary();
        if (secondaryTransaction.takesPart() && secondary != null && secondary.isOpen()) {
            secondary.send(FrontendMessages.query("ROLLBACK AND CHAIN"), 1, Leg.DISCARD);
        } else {
            secondaryTransaction.drop();
        }
        return onPrimary;
    }

    /** @param reapply the primary chained a failed transaction that Exodus began: its modes are set again */
    private Future<Void> chain(TransactionCharacteristics modes, boolean reapply) {
        Leg primary = legs.primary();
        if (primary.transactionStatus() == TransactionStatus.IN_TRANSACTION) {
            // The client's own statement reached the primary, which chained by itself; so did a secondary taking part.
            boolean secondaryChained = secondaryTransaction.takesPart();
            chained.accept(secondaryChained);
            if (!reapply) {
                return Future.succeededFuture();
            }
            Leg secondary = legs.secondary();
            if (secondaryChained && secondary != null && secondary.isOpen()) {
                secondary.send(FrontendMessages.query(modes.setTransaction()), 1, Leg.DISCARD);
            }
            return primary.send(FrontendMessages.query(modes.setTransaction()), 1, Leg.DISCARD).map(set -> {
                begunModes = modes;
                begunSerial = transaction.serial();
                return null;
            });
        }
        ended.run();
        if (modes == null) {
            // Exodus ends a transaction itself only when the primary was in a healthy one, whose modes were read.
            return Future.failedFuture("the modes of the transaction to chain are unknown");
        }
        int mark = client.length();
        UnitPlan begin = planner.plan(List.of(FrontendMessages.queryMessage(modes.begin())));
        return concurrentWrites.run(begin).onComplete(r -> {
            client.truncate(mark);
            if (r.succeeded()) {
                begunModes = modes;
                begunSerial = transaction.serial();
            }
        });
    }
}
