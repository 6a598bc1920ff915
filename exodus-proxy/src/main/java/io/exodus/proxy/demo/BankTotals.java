package io.exodus.proxy.demo;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

/**
 * What one database holds of the bank, read on it directly (not through the proxy, which answers from one of the two):
 * a lost or doubled transfer changes the balance, a lost or doubled transaction the history.
 */
record BankTotals(long balance, long historyRows) {
    private static final String READ = "SELECT (SELECT coalesce(sum(balance), 0) FROM " + BankSeed.ACCOUNTS + ")::bigint, "
            + "(SELECT count(*) FROM " + BankSeed.HISTORY + ")";

    static Future<BankTotals> read(Pool database) {
        return database.query(READ).execute().map(rows -> {
            Row row = rows.iterator().next();
            return new BankTotals(row.getLong(0), row.getLong(1));
        });
    }
}
