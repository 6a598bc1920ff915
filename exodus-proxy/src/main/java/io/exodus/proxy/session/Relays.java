package io.exodus.proxy.session;

import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.backend.BackendLogin;
import io.vertx.core.net.NetSocket;

/**
 * The relays a session can run once its backend sessions are open. The session decides which one (a replication
 * connection is always direct) but knows neither kind: they live in {@code direct} and {@code dualwrite}, which
 * build on this package.
 */
public interface Relays {

    /** The target's connector; null when no target is configured. */
    BackendConnector secondary();

    /** Whether sessions write to the target too now: the migration's phase of this moment, which may change. */
    boolean writeBoth();

    /** Starts the pass-through relay to {@code backend}. */
    Relay direct(RelayHost host, NetSocket client, SessionServices services, BackendConnection backend);

    /** Starts the dual-write relay; {@code target} is null when the target could not be reached. */
    Relay dualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection backend, BackendConnection target);

    /**
     * Starts the dual-write relay on a session that ran direct until now: it reads what the session set up on the
     * source (settings, prepared statements) and sets the same up on the target before it takes the next request.
     */
    Relay adoptIntoDualWrite(RelayHost host, NetSocket client, SessionServices services, BackendLogin login,
            BackendConnection backend);
}
