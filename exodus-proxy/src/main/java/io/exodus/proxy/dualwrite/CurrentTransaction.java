package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.wire.TransactionStatus;

/**
 * The session's transaction as the steps of a request see it: the consistency policy it runs under, which is the
 * migration's when it began (a change of policy applies to the transactions that begin after it), and a serial number
 * that tells an answer of the secondary that arrives late from the transaction it belongs to. The relay says when a
 * transaction ends ({@link #ended}, {@link #chained}); what else an end resets is the relay's to call. One session's,
 * on its event loop.
 */
final class CurrentTransaction {
    private final Leg primary;
    private final MigrationState migration;
    private final DivergenceLog divergences;
    /** The policy the current transaction began under; null between transactions. */
    private ConsistencyPolicy policy;
    /** Counts transaction ends. */
    private long serial;

    CurrentTransaction(Leg primary, MigrationState migration, DivergenceLog divergences) {
        this.primary = primary;
        this.migration = migration;
        this.divergences = divergences;
    }

    /** The policy of the current transaction, or the migration's current one between transactions. */
    ConsistencyPolicy policy() {
        return policy != null ? policy : migration.policy();
    }

    /** Which transaction the session is in: it changes at every end. */
    long serial() {
        return serial;
    }

    /** A write is about to run: outside a transaction it begins one, under the migration's policy of now. */
    void beginIfIdle() {
        if (primary.transactionStatus() == TransactionStatus.IDLE) {
            policy = migration.policy();
        }
    }

    /** The primary's transaction ended. */
    void ended() {
        serial++;
        policy = null;
    }

    /** The primary's transaction ended with AND CHAIN: the next began at once, under the policy of now. */
    void chained() {
        serial++;
        policy = migration.policy();
    }

    /** Records a divergence of a request of this transaction, under its policy. */
    void divergence(Divergence.Kind kind, UnitPlan plan, LegReply primaryReply, LegReply secondaryReply) {
        divergences.record(kind, policy(), plan.fingerprint(), describe(primaryReply),
                secondaryReply == null ? "not sent: the secondary is unavailable" : describe(secondaryReply));
    }

    /** A reply as divergences and log lines give it: SQLSTATE and message, or the command tags. */
    static String describe(LegReply reply) {
        if (reply.error() != null) {
            return reply.error().sqlState() + " " + reply.error().message();
        }
        return String.join(", ", reply.commandTags());
    }
}
