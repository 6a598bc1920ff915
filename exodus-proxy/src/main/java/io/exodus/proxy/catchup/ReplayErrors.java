package io.exodus.proxy.catchup;

import java.util.Set;

/**
 * Which errors of the target make a queued transaction worth another try. Entries replay in the order their
 * transactions committed on the source, and the database's live writes wait behind them, so the target's data when
 * an entry runs again is the data it failed on: an error that the statement and that data decide (a value the target
 * will not take, a constraint, a cardinality) comes back every time, while the entries behind it wait through every
 * retry. Those are parked at the first failure. What an operator or the moment can change (a missing role, schema or
 * function, a privilege, a lock, a timeout, a lost connection) is tried again, up to {@code exodus.replay.max-attempts}.
 */
final class ReplayErrors {
    /**
     * SQLSTATE classes the statement and the data decide: feature not supported (0A), cardinality violation (21),
     * data exception (22), integrity constraint violation (23), invalid cursor name (34), invalid savepoint (3B),
     * WITH CHECK OPTION violation (44), and a PL/pgSQL RAISE (P0).
     */
    private static final Set<String> DECIDED_BY_THE_DATA = Set.of("0A", "21", "22", "23", "34", "3B", "44", "P0");

    private ReplayErrors() {
    }

    /**
     * Whether an entry the target refused with {@code sqlState} (null: no error, the COMMIT did not happen) may pass
     * later.
     */
    static boolean mayPassLater(String sqlState) {
        return sqlState == null || sqlState.length() != 5 || !DECIDED_BY_THE_DATA.contains(sqlState.substring(0, 2));
    }
}
