package io.exodus.proxy.dualwrite;

import io.exodus.proxy.functions.DatabaseFunctions;
import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.TransactionVerb;

/**
 * The commit marker's read of the primary's transaction ({@link PrimaryTransactionRead}), made ahead of the COMMIT
 * while what it read stays true, for one session. The transaction's id does not change once assigned; whether it is
 * read-only can, and only by settings: a {@code SET TRANSACTION}, a rollback to a savepoint (which undoes settings), or
 * whatever may set a setting by the rule a session's kept settings follow ({@link KnownSettings#maySetSettings}, and
 * a database whose own objects run no code implicitly, {@link DatabaseFunctions#settingsSetBySessionsOnly}). After any
 * of those, the COMMIT reads again.
 */
final class MarkerReadAhead {
    private final SessionContext context;
    private final CurrentTransaction transaction;
    private final Legs legs;
    private final DatabaseFunctions database;
    /** The read made ahead, or null. */
    private PrimaryTransactionRead read;
    /** {@link CurrentTransaction#serial()} of the transaction {@link #read} read. */
    private long serial;
    /** The database's {@link DatabaseFunctions#settingsEpoch} when it was made. */
    private long epoch;

    MarkerReadAhead(SessionContext context, DatabaseFunctions database) {
        this.context = context;
        this.transaction = context.transaction();
        this.legs = context.legs();
        this.database = database;
    }

    /**
     * A write of the open transaction that the secondary applies behind the primary has been answered: the first one
     * makes the read, written with the client's next request.
     */
    void afterWrite(boolean withId) {
        if (madeForThisTransaction() || !database.settingsSetBySessionsOnly()) {
            return;
        }
        epoch = database.settingsEpoch();
        serial = transaction.serial();
        read = PrimaryTransactionRead.later(legs.primary(), withId);
    }

    /** Whether the current transaction's read was made ahead already (and still holds as far as seen). */
    boolean madeForThisTransaction() {
        return read != null && serial == transaction.serial();
    }

    /** Before each request: one that may change what was read has the COMMIT read again. */
    void beforeRequest(UnitPlan plan) {
        if (read == null) {
            return;
        }
        for (String sql : plan.executedSql()) {
            Classification classification = context.classifications().classify(sql);
            if (maySetTransactionModes(sql, classification)) {
                read = null;
                return;
            }
        }
    }

    /** The read made ahead for the current transaction while it still holds, else null; forgotten either way. */
    PrimaryTransactionRead take() {
        PrimaryTransactionRead ahead = madeForThisTransaction() && database.settingsSetBySessionsOnly()
                && database.settingsEpoch() == epoch ? read : null;
        read = null;
        return ahead;
    }

    private boolean maySetTransactionModes(String sql, Classification classification) {
        for (Classification statement : classification.statements()) {
            TransactionVerb verb = statement.transactionVerb();
            if (verb == TransactionVerb.SET_TRANSACTION || verb == TransactionVerb.ROLLBACK_TO_SAVEPOINT) {
                return true;
            }
        }
        return KnownSettings.maySetSettings(sql, classification, context.classifications().volatility());
    }
}
