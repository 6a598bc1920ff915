package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The custom settings of a session adopted from phase direct ({@link DualWriteRelay#startAdopting}) that its
 * secondary may lack. What the session set while it ran direct, Exodus did not see, and PostgreSQL lists custom
 * settings nowhere ({@link CustomSettings}): a setting that no function, default or policy of the database names was
 * not given to the secondary at adoption, and a statement that read it ({@code current_setting('app.tenant', true)})
 * ran there without it, silently. Its name shows in the statement that first reads (or sets) it: before that statement
 * runs, the value is read from the primary and set on the secondary. A value set inside a transaction block is taken
 * back there by a rollback, so it is carried again after the transaction ends. One session's, on its event loop.
 */
final class CarriedSettings {
    /** Names seen since the adoption that are not known to be on the secondary with the primary's value. */
    private final Set<String> due = new TreeSet<>();
    /** Names carried inside the secondary's open transaction. */
    private final Set<String> carriedInTransaction = new TreeSet<>();

    /** A statement named a custom setting for the first time since the session was adopted. */
    void named(String name) {
        due.add(name);
    }

    /** Whether a setting waits to be carried. */
    boolean due() {
        return !due.isEmpty();
    }

    /**
     * Sets on the secondary the primary's values of the settings due, before a request runs: only with both
     * connections able to take a statement (not in a failed transaction block); otherwise they stay due. Always
     * completes; a failure leaves them due, for the relay's own handling of a lost or failed connection.
     */
    Future<Void> carry(Leg primary, Leg secondary) {
        if (due.isEmpty() || primary.transactionStatus() == TransactionStatus.FAILED
                || secondary.transactionStatus() == TransactionStatus.FAILED) {
            return Future.succeededFuture();
        }
        List<String> names = List.copyOf(due);
        // The secondary's part of a transaction may still be held back unsent (Leg.sendLater), its status
        // not yet in a block: the primary's tells.
        boolean inTransaction = primary.transactionStatus().inBlock() || secondary.transactionStatus().inBlock();
        TextRows values = new TextRows();
        return primary.send(FrontendMessages.query(valuesQuery(names)), 1, values).compose(read -> {
            if (read.failed()) {
                return Future.succeededFuture();
            }
            String set = setStatement(values.rows());
            Future<Boolean> given = set == null ? Future.succeededFuture(true)
                    : secondary.send(FrontendMessages.query(set), 1, Leg.DISCARD).map(reply -> !reply.failed());
            return given.map(carried -> {
                if (carried) {
                    names.forEach(due::remove);
                    if (inTransaction) {
                        carriedInTransaction.addAll(names);
                    }
                }
                return null;
            });
        });
    }

    /** The secondary's transaction ended: what was set in it may be undone there. */
    void transactionEnded() {
        due.addAll(carriedInTransaction);
        carriedInTransaction.clear();
    }

    /** Each name with its value as hex of UTF-8: the bytes pass through no client encoding. */
    static String valuesQuery(List<String> names) {
        return "SELECT n, pg_catalog.encode(pg_catalog.convert_to(pg_catalog.current_setting(n, true), 'UTF8'), 'hex') "
                + "FROM pg_catalog.unnest(" + SessionAdoption.textArray(names) + ") n";
    }

    /** The set_config calls of the values the primary has; null when it has none (nothing to set). */
    static String setStatement(List<List<String>> rows) {
        StringBuilder sql = new StringBuilder("SELECT");
        String separator = " ";
        for (List<String> row : rows) {
            if (row.get(1) == null) {
                continue;
            }
            sql.append(separator).append("pg_catalog.set_config(").append(SessionAdoption.literal(row.get(0)))
                    .append(", pg_catalog.convert_from(pg_catalog.decode('").append(row.get(1))
                    .append("', 'hex'), 'UTF8'), false)");
            separator = ", ";
        }
        return separator.equals(" ") ? null : sql.toString();
    }
}
