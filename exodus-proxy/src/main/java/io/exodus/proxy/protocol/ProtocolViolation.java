package io.exodus.proxy.protocol;

/**
 * A client broke the wire protocol (or a limit of it). The session answers with an ErrorResponse carrying
 * {@link #sqlState()} and closes; the proxy and other sessions carry on.
 */
public final class ProtocolViolation extends RuntimeException {
    private final String sqlState;

    public ProtocolViolation(String sqlState, String message) {
        super(message, null, false, false);
        this.sqlState = sqlState;
    }

    public static ProtocolViolation of(String message) {
        return new ProtocolViolation(SqlState.PROTOCOL_VIOLATION, message);
    }

    public String sqlState() {
        return sqlState;
    }
}
