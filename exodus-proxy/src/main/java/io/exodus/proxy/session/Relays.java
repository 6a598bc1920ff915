package io.exodus.proxy.session;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.Side;
import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;

import java.util.Set;

/**
 * The relays a session can run once its backend sessions are open. The session decides which one (a replication
 * connection is never mirrored) but knows neither kind: they live in {@code direct} and {@code dualwrite}, which
 * build on this package.
 */
public interface Relays {

    /** The target's connector; null when no target is configured. */
    BackendConnector target();

    /**
     * The phase a session on {@code database} follows at this moment, which may change: the migration's phase; direct
     * when no target is configured, or when the migration does not move that database.
     */
    MigrationPhase phaseFor(String database);

    /**
     * Whether a write of {@code session} must be refused now: this replica could not confirm for
     * {@code exodus.control.stale-after} that its phase is still the fleet's, and a newer phase could route the write
     * differently; or the session's transaction was {@link RelayHost#leftBehind() left behind}. Asked once per request.
     */
    boolean refusesWrites(RelayHost session);

    /**
     * Asks the fleet now, for a request that found {@link #refusesWrites} true, whether this replica's state is still
     * the fleet's (docs/adr/0032, "Confirmation on demand"). Succeeds, on the caller's event loop, when the request may
     * go on: the lease was renewed, the phase is still the one the request found and the session was not left behind
     * meanwhile; fails when it must be refused.
     */
    Future<Void> confirmState(RelayHost session);

    /** Starts the pass-through relay to {@code backend}, a connection to {@code side}. */
    Relay direct(RelayHost host, NetSocket client, SessionServices services, BackendConnection backend, Side side);

    /**
     * Starts the dual-write relay with {@code primary}, a connection to {@code primarySide}; {@code secondary} is null
     * when the other database could not be reached.
     */
    Relay dualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection primary, BackendConnection secondary, Side primarySide);

    /**
     * Starts the dual-write relay on a session that did not mirror its writes until now: it reads what the session set
     * up on its primary (settings, prepared statements) and sets the same up on the other database before it takes
     * the next request.
     */
    Relay adoptIntoDualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection primary, Side primarySide);

    /**
     * Moves a session between two of its transactions to a connection to the {@code to} database: what the session set
     * up on {@code from} (settings, role, prepared statements, LISTENs) is set up on the new connection, and
     * {@code from} is closed. Fails, closing both, when the session holds what cannot move (temporary tables, held
     * cursors, session-level advisory locks).
     */
    Future<BackendConnection> movePrimary(BackendConnection from, BackendLogin login, Side to,
            Set<String> customSettingNames);
}
