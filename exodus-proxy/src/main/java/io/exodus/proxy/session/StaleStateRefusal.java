package io.exodus.proxy.session;

import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.SqlState;

/**
 * The answer to a write on a replica that cannot confirm the fleet's state (docs/adr/0032). FATAL with 57P03, as
 * PostgreSQL answers while it cannot take connections: drivers and pools treat it as a connection to retry elsewhere,
 * and closing the session rolls back whatever its transaction wrote, so nothing routed by a state that may be old is
 * committed. The same answer refuses a transaction the fleet's change of route left behind: it was routed the old way.
 */
public final class StaleStateRefusal {
    private StaleStateRefusal() {
    }

    public static ErrorResponse error(RelayHost session) {
        if (session.leftBehind()) {
            return ErrorResponse.fatal(SqlState.CANNOT_CONNECT_NOW, "the migration moved its writes (a cutover, a "
                    + "rollback, or the start of dual-write) while this session's transaction was open on an Exodus "
                    + "replica that could not take part in the change: the transaction was routed the old way, so it "
                    + "was not continued and the session is closed; its writes are rolled back")
                    .withHint("Reconnect and run the transaction again: a new session starts in the new phase.");
        }
        return ErrorResponse.fatal(SqlState.CANNOT_CONNECT_NOW, "this Exodus replica could not read the migration's "
                + "control state from the source for longer than exodus.control.stale-after, and a newer phase may "
                + "route this write differently: it was not run and the session is closed")
                .withHint("Reconnect and retry: through another replica, or through this one once it reads the state "
                        + "again (GET /exodus/migration shows \"stale\" in \"control\").");
    }
}
