package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The modes a chained transaction inherits from the one it follows: isolation level, read only, deferrable. Read from
 * the primary inside that transaction, so that whatever set them (the BEGIN's options, SET TRANSACTION, the session's
 * defaults) is accounted for.
 */
record TransactionCharacteristics(String isolation, boolean readOnly, boolean deferrable) {
    static final String QUERY = "SELECT current_setting('transaction_isolation'), "
            + "current_setting('transaction_read_only'), current_setting('transaction_deferrable')";
    private static final Set<String> ISOLATION_LEVELS =
            Set.of("read uncommitted", "read committed", "repeatable read", "serializable");

    /** The modes of the primary's current transaction; fails if the primary cannot say (not in a healthy one). */
    static Future<TransactionCharacteristics> of(Leg primary) {
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(QUERY), 1, rows).compose(reply -> reply.failed()
                || rows.rows().isEmpty()
                ? Future.failedFuture("the primary did not report its transaction's modes: "
                        + (reply.error() == null ? "no row" : reply.error().message()))
                : Future.succeededFuture(fromRow(rows.rows().get(0))));
    }

    static TransactionCharacteristics fromRow(List<String> row) {
        String isolation = text(row, 0).toLowerCase(Locale.ROOT);
        if (!ISOLATION_LEVELS.contains(isolation)) {
            throw new IllegalArgumentException("unknown isolation level \"" + isolation + "\"");
        }
        return new TransactionCharacteristics(isolation, text(row, 1).equals("on"), text(row, 2).equals("on"));
    }

    private static String text(List<String> row, int column) {
        String value = row.size() > column ? row.get(column) : null;
        if (value == null) {
            throw new IllegalArgumentException("column " + column + " of the transaction's modes is missing");
        }
        return value;
    }

    /** The BEGIN that starts a transaction with these modes. */
    String begin() {
        return "BEGIN " + modes();
    }

    /** The same modes for a transaction begun already, before its first query. */
    String setTransaction() {
        return "SET TRANSACTION " + modes();
    }

    private String modes() {
        return "ISOLATION LEVEL " + isolation.toUpperCase(Locale.ROOT) + (readOnly ? " READ ONLY" : " READ WRITE")
                + (deferrable ? " DEFERRABLE" : " NOT DEFERRABLE");
    }
}
