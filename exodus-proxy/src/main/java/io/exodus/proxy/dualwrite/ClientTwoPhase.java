package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.TransactionVerb;
import io.exodus.proxy.wire.SqlState;

import java.util.List;

/**
 * The client's own two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED, as XA transaction
 * managers send them) in dual-write. A transaction headed for the replay queue is prepared on the primary only, with
 * its queue entry inside it: the entry then commits with COMMIT PREPARED and vanishes with ROLLBACK PREPARED, as it
 * does with a COMMIT. The target never had that transaction, so its part of the COMMIT or ROLLBACK PREPARED finds
 * nothing to end, which is expected and no divergence.
 */
final class ClientTwoPhase {
    private ClientTwoPhase() {
    }

    /** The request's one statement, when it is a transaction verb; {@link TransactionVerb#NONE} otherwise. */
    static TransactionVerb verbOf(UnitPlan plan, ClassificationCache classifications) {
        List<String> executed = plan.executedSql();
        if (executed.size() != 1) {
            return TransactionVerb.NONE;
        }
        List<Classification> statements = classifications.classify(executed.get(0)).statements();
        return statements.size() == 1 ? statements.get(0).transactionVerb() : TransactionVerb.NONE;
    }

    static boolean endsPrepared(TransactionVerb verb) {
        return verb == TransactionVerb.COMMIT_PREPARED || verb == TransactionVerb.ROLLBACK_PREPARED;
    }

    /** The secondary had no prepared transaction of that name, where the primary had one and ended it. */
    static boolean notPreparedOnSecondary(LegReply primary, LegReply secondary) {
        return !primary.failed() && secondary.failed() && !secondary.lostConnection()
                && SqlState.UNDEFINED_OBJECT.equals(secondary.error().sqlState());
    }
}
