package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

/**
 * The secondary's part in the primary's current transaction: whether it takes part, whether it wrote, and what a
 * failure of a statement it applied behind the primary left for the COMMIT. The shapes move it on as their requests
 * go through, {@link TransactionCommit} reads it to decide how a COMMIT ends, and the relay resets it when the
 * primary's transaction ends. It is a class of its own so that these flags, which change together, change in one
 * place, apart from the relay's dispatch.
 */
final class SecondaryTransaction {
    private static final Logger LOG = Logger.getLogger(SecondaryTransaction.class);

    private final DualWriteRelay relay;
    private final BackendLogin login;
    /** The secondary takes part in the current transaction (its BEGIN went through, nothing made us drop it). */
    private boolean inTransaction;
    /** The current transaction sent the secondary something that writes. */
    private boolean wrote;
    /** Set when the secondary failed behind the primary in this transaction: the error its COMMIT gets. */
    private ErrorResponse deferredFailure;
    /** The secondary is in a transaction that must be rolled back when the primary's ends. */
    private boolean needsRollback;

    SecondaryTransaction(DualWriteRelay relay, BackendLogin login) {
        this.relay = relay;
        this.login = login;
    }

    boolean takesPart() {
        return inTransaction;
    }

    /** Whether the secondary takes part in the current transaction, as a request that reached both legs left it. */
    void takesPart(boolean takesPart) {
        inTransaction = takesPart;
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
        Leg primary = relay.primary();
        Leg secondary = relay.secondary();
        if (inTransaction || deferredFailure != null || relay.queue().queueTransaction()
                || primary.transactionStatus() != TransactionStatus.IN_TRANSACTION || secondary == null || !secondary.isOpen()
                || !relay.secondaryUsable()) {
            return Future.succeededFuture(false);
        }
        // The secondary may still be ending the previous transaction (a ROLLBACK sent behind): the BEGIN queues after it.
        return TransactionCharacteristics.of(primary).compose(modes -> !modes.readOnly() ? Future.succeededFuture(false)
                : secondary.send(FrontendMessages.query(modes.begin()), 1, Leg.DISCARD).map(reply -> {
                    inTransaction = !reply.failed() && secondary.transactionStatus() == TransactionStatus.IN_TRANSACTION;
                    return inTransaction;
                }), cannotSay -> Future.succeededFuture(false));
    }

    void joined(boolean wroteNow) {
        inTransaction = relay.secondaryUsable();
        wrote |= wroteNow && inTransaction;
    }

    boolean wrote() {
        return wrote;
    }

    /** The secondary takes no further part in this transaction (it is rolled back there). */
    void drop() {
        Leg secondary = relay.secondary();
        if (secondary != null && secondary.isOpen() && (secondary.transactionStatus().inBlock() || !secondary.isIdle())) {
            secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
        }
        inTransaction = false;
        needsRollback = false;
        wrote = false;
    }

    /** The session stopped using its secondary: it takes no part in any transaction any more. */
    void detached() {
        inTransaction = false;
    }

    /**
     * A statement the secondary applied behind the primary (inside an explicit transaction the client does not wait
     * for the secondary) failed: the secondary takes no further part in the transaction, and the COMMIT decides
     * what the failure means under the policy.
     */
    void failedBehind(Divergence.Kind kind, UnitPlan plan, LegReply primaryReply, LegReply secondaryReply,
            ErrorResponse forClient) {
        QueueHandoff queue = relay.queue();
        if (deferredFailure != null || queue.queueTransaction()) {
            return;
        }
        if (queue.currentRecording() != null && queue.canQueue()) {
            if (kind != Divergence.Kind.SECONDARY_LOST) {
                relay.divergence(kind, plan, primaryReply, secondaryReply);
            }
            LOG.infof("%s: the target failed a statement of the transaction (%s); the transaction "
                    + "goes to the replay queue", relay.label(), DualWriteRelay.describe(secondaryReply));
            queue.queueCurrentTransaction("the target failed a statement");
            return;
        }
        relay.divergence(kind, plan, primaryReply, secondaryReply);
        deferredFailure = forClient;
        inTransaction = false;
        needsRollback = true;
    }

    /** The error a failure of the secondary behind the primary left for this transaction's COMMIT, or null. */
    ErrorResponse deferredFailure() {
        return deferredFailure;
    }

    /** The commit protocol ended the secondary's transaction (its last COMMIT may still be on its way). */
    void ended() {
        inTransaction = false;
        needsRollback = false;
        wrote = false;
    }

    /** The primary's transaction ended with AND CHAIN: the next one began; the secondary's part in it is new. */
    void chained(boolean secondaryChained) {
        deferredFailure = null;
        needsRollback = false;
        wrote = false;
        inTransaction = secondaryChained;
    }

    /** The primary's transaction ended, however it did: the next one starts with none of this. */
    void primaryEnded() {
        deferredFailure = null;
        Leg secondary = relay.secondary();
        if ((inTransaction || needsRollback) && secondary != null && secondary.isOpen()
                && (secondary.transactionStatus().inBlock() || !secondary.isIdle())) {
            // The primary's transaction ended in a way no shape foresaw (a multi-statement text ending it, a
            // PREPARE TRANSACTION or COMMIT after a failure that the primary alone answered with ROLLBACK): end the
            // secondary's the same way rather than leave it open. Its BEGIN may still be on its way (the status says
            // idle until it is answered), hence the pending requests count too.
            secondary.send(FrontendMessages.query("ROLLBACK"), 1, Leg.DISCARD);
        }
        inTransaction = false;
        needsRollback = false;
        wrote = false;
    }
}
