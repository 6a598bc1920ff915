package io.exodus.proxy.session;

import io.exodus.proxy.wire.ErrorResponse;

import java.util.Map;
import java.util.Set;

/** What a relay may ask of the client session that runs it: its name in the log, and the ways a session ends. */
public interface RelayHost {

    /** The session in log lines: {@code S-n user@db client pid source/target}. */
    String label();

    /** The session's number, {@code n} of the label's {@code S-n}: unique in this proxy while it runs. */
    long number();

    /**
     * The parameters of the client's start-up packet (user, database, options, settings such as TimeZone), which the
     * capture tap reads as the session's first settings.
     */
    default Map<String, String> startupParameters() {
        return Map.of();
    }

    /**
     * The names of the session's settings of the application's own ({@code app.tenant}) that its relays saw it use:
     * PostgreSQL lists such settings nowhere, and they move with the session from relay to relay and from primary to
     * primary. Lower case; mutable, on the session's event loop.
     */
    Set<String> customSettingNames();

    /** Sends the proxy's own error to the client (if it still listens) and closes both sides. */
    void closeWithError(ErrorResponse error);

    /** The relay saw the client say goodbye or the backend go away. */
    void closed();

    /** Ends the session now with 57P01, as graceful shutdown does once a session is idle or out of time. */
    void closeForShutdownNow();

    /**
     * Whether the fleet moved the primary or started mirroring writes while this session was in a transaction (or a
     * request), without this replica holding the pause for it: until the session is between two transactions again,
     * every request that is not a read is refused, as on a stale replica (docs/adr/0032).
     */
    boolean leftBehind();
}
