package io.exodus.proxy.demo;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The demo's application data, made on the source alone: the target starts empty, as a real target does, so that the
 * initial sync has a schema and rows to bring over. Every account starts with the same balance and transfers only
 * move money, so the sum of the balances is known at every moment and on either database.
 */
final class BankSeed {
    static final String SCHEMA = "bank";
    static final String ACCOUNTS = SCHEMA + ".accounts";
    static final String HISTORY = SCHEMA + ".history";
    static final long INITIAL_BALANCE = 1000;

    /*
     * history.id draws from a sequence and history.at from now(): values dual-write must give the target exactly as
     * the source drew them, which the verifications then check row by row. (An UPDATE that sets now() is not among
     * them: it runs as text on both databases, docs/GAPS.md.)
     */
    private static final String CREATE = "CREATE SCHEMA " + SCHEMA + ";"
            + "CREATE TABLE " + ACCOUNTS + " (id integer PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL);"
            + "CREATE TABLE " + HISTORY + " (id bigserial PRIMARY KEY, "
            + "from_account integer NOT NULL REFERENCES " + ACCOUNTS + ", "
            + "to_account integer NOT NULL REFERENCES " + ACCOUNTS + ", "
            + "amount bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())";
    private static final String FILL = "INSERT INTO " + ACCOUNTS + " (id, owner, balance) "
            + "SELECT g, 'customer ' || g, " + INITIAL_BALANCE + " FROM generate_series(1, $1) AS g";
    // The sync's progress reads its row total from the planner's statistics.
    private static final String ANALYZE = "ANALYZE " + ACCOUNTS;
    private static final String EXISTS = "SELECT pg_catalog.to_regnamespace('" + SCHEMA + "') IS NOT NULL";

    private BankSeed() {
    }

    /** Whether a database has the bank already: kept from an earlier run (exodus.embedded.data-dir). */
    static Future<Boolean> present(Pool database) {
        return database.query(EXISTS).execute().map(rows -> rows.iterator().next().getBoolean(0));
    }

    static Future<Void> create(Pool source, int accounts) {
        return source.withTransaction(connection -> connection.query(CREATE).execute()
                        .compose(v -> connection.preparedQuery(FILL).execute(Tuple.of(accounts))))
                .compose(v -> source.query(ANALYZE).execute())
                .mapEmpty();
    }

    static long expectedTotal(int accounts) {
        return accounts * INITIAL_BALANCE;
    }
}
