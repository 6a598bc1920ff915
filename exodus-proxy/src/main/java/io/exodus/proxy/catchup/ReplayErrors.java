package io.exodus.proxy.catchup;

import java.util.Set;

/**
 * Which errors of the target make a queued transaction worth another try. Entries replay in the order their
 * transactions committed on the source, and the database's live writes wait behind them, so the target's state when
 * an entry runs again is the state it failed on: an error that follows from the statement and that state (bad data,
 * a missing object, a constraint) comes back every time, while the entries behind it wait for minutes. Those are
 * parked at the first failure; only errors of the moment are tried again.
 */
final class ReplayErrors {
    /**
     * SQLSTATE classes of the moment: connection (08), transaction rollback (40: serialization failure, deadlock),
     * insufficient resources (53), object not in prerequisite state (55: a lock not available), operator intervention
     * (57: a statement timeout, a server shutting down), system error (58), internal error (XX).
     */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "55", "57", "58", "XX");
    /**
     * Single states of the moment: a target that is read-only for now (a standby being promoted), a privilege the
     * operator can still grant.
     */
    private static final Set<String> TRANSIENT_STATES = Set.of("25006", "42501");

    private ReplayErrors() {
    }

    /** Whether an entry the target refused with {@code sqlState} (null: no error, the COMMIT did not happen) may pass later. */
    static boolean mayPassLater(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return true;
        }
        return TRANSIENT_CLASSES.contains(sqlState.substring(0, 2)) || TRANSIENT_STATES.contains(sqlState);
    }
}
