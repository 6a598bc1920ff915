package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

/**
 * Holds the secondary's part in the primary's current transaction ({@link SecondaryPart}) and does what its
 * transitions ask of the secondary's connection. The shapes move it on as their requests go through,
 * {@link TransactionCommit} reads it to decide how a COMMIT ends, {@link QueueHandoff} turns it to queued, and the relay
 * resets it when the primary's transaction ends.
 */
final class SecondaryTransaction {
    private static final Logger LOG = Logger.getLogger(SecondaryTransaction.class);

    private final SessionContext context;
    private final CurrentTransaction transaction;
    private final Legs legs;
    private final QueueHandoff queue;
    private SecondaryPart part = SecondaryPart.APART;

    SecondaryTransaction(SessionContext context, QueueHandoff queue) {
        this.context = context;
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.queue = queue;
    }

    SecondaryPart part() {
        return part;
    }

    boolean takesPart() {
        return part.takesPart();
    }

    /** Whether the secondary takes part in the current transaction, as a request that reached both legs left it. */
    void takesPart(boolean takesPart) {
        part = part.taking(takesPart);
    }

    /**
     * The secondary does not take part in a transaction begun READ ONLY: such a transaction only reads, and reads go
     * to the primary. PostgreSQL still lets it write the session's temporary objects ({@code nextval()} of a temporary
     * sequence, a temporary table), so at the first write of such a transaction the secondary joins it, in the same
     * modes. Its snapshot is later than the primary's, which cannot matter: it can write only what the session alone
     * sees. Anything else (a transaction the secondary left after a failure, one being queued) stays as it is.
     *
     * @return whether the secondary joined now
     */
    Future<Boolean> joinReadOnly() {
        Leg primary = legs.primary();
        Leg secondary = legs.secondary();
        if (!part.mayJoin() || primary.transactionStatus() != TransactionStatus.IN_TRANSACTION || secondary == null
                || !secondary.isOpen() || !legs.secondaryUsable()) {
            return Future.succeededFuture(false);
        }
        // The secondary may still be ending the previous transaction (a ROLLBACK sent behind): the BEGIN queues after it.
        return TransactionCharacteristics.of(primary).compose(modes -> !modes.readOnly() ? Future.succeededFuture(false)
                : secondary.send(FrontendMessages.query(modes.begin()), 1, Leg.DISCARD).map(reply -> {
                    takesPart(!reply.failed() && secondary.transactionStatus() == TransactionStatus.IN_TRANSACTION);
                    return part.takesPart();
                }), cannotSay -> Future.succeededFuture(false));
    }

    void joined(boolean wroteNow) {
        part = part.joining(legs.secondaryUsable(), wroteNow);
    }

    boolean wrote() {
        return part.wrote();
    }

    /** The secondary takes no further part in this transaction (it is rolled back there). */
    void drop() {
        Leg secondary = legs.secondary();
        if (secondary != null && secondary.isOpen() && (secondary.transactionStatus().inBlock() || !secondary.isIdle())) {
            secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
        }
        part = part.ended();
    }

    /** The session stopped using its secondary: it takes no part in any transaction any more. */
    void detached() {
        part = part.taking(false);
    }

    /**
     * A statement the secondary applied behind the primary (inside an explicit transaction the client does not wait
     * for the secondary) failed: the secondary takes no further part in the transaction, and the COMMIT decides
     * what the failure means under the policy.
     */
    void failedBehind(Divergence.Kind kind, UnitPlan plan, LegReply primaryReply, LegReply secondaryReply,
            ErrorResponse forClient) {
        if (part.failure() != null || isQueued()) {
            return;
        }
        if (queue.currentRecording() != null && queue.canQueue()) {
            if (kind != Divergence.Kind.SECONDARY_LOST) {
                transaction.divergence(kind, plan, primaryReply, secondaryReply);
            }
            LOG.infof("%s: the target failed a statement of the transaction (%s); the transaction "
                    + "goes to the replay queue", context.label(), CurrentTransaction.describe(secondaryReply));
            queue.queueCurrentTransaction("the target failed a statement");
            return;
        }
        transaction.divergence(kind, plan, primaryReply, secondaryReply);
        part = part.failingBehind(forClient);
    }

    /** The error a failure of the secondary behind the primary left for this transaction's COMMIT, or null. */
    ErrorResponse deferredFailure() {
        return part.failure();
    }

    /** The commit protocol ended the secondary's transaction (its last COMMIT may still be on its way). */
    void ended() {
        part = part.ended();
    }

    /** The transaction goes to the replay queue: what the secondary applied of it is rolled back there. */
    void queued() {
        drop();
        part = part.queued();
    }

    /** The transaction is no longer headed for the queue: committed with its entry, or ended without it. */
    void queueingEnded() {
        part = part.queueingEnded();
    }

    boolean isQueued() {
        return part instanceof SecondaryPart.Queued;
    }

    /** The primary's transaction ended with AND CHAIN: the next one began; the secondary's part in it is new. */
    void chained(boolean secondaryChained) {
        part = SecondaryPart.chained(secondaryChained);
    }

    /** The primary's transaction ended, however it did: the next one starts with none of this. */
    void primaryEnded() {
        Leg secondary = legs.secondary();
        if (part.holdsTransaction() && secondary != null && secondary.isOpen()
                && (secondary.transactionStatus().inBlock() || !secondary.isIdle())) {
            // The primary's transaction ended in a way no shape foresaw (a multi-statement text ending it, a
            // PREPARE TRANSACTION or COMMIT after a failure that the primary alone answered with ROLLBACK): end the
            // secondary's the same way rather than leave it open. Its BEGIN may still be on its way (the status says
            // idle until it is answered), hence the pending requests count too.
            secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
        }
        part = SecondaryPart.APART;
    }
}
