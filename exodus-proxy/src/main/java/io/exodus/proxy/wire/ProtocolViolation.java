package io.exodus.proxy.wire;

/**
 * A client broke the wire protocol (or a limit of it). The session answers with an ErrorResponse carrying
 * {@link #sqlState()} and closes; the proxy and other sessions carry on. A startup packet that cannot even be read
 * is {@link #unanswered}: PostgreSQL logs it and closes without a word (a client that is not speaking the protocol
 * would not understand one), and so does Exodus.
 */
public final class ProtocolViolation extends RuntimeException {
    private final String sqlState;
    private final boolean answered;

    public ProtocolViolation(String sqlState, String message) {
        this(sqlState, message, true);
    }

    private ProtocolViolation(String sqlState, String message, boolean answered) {
        super(message, null, false, false);
        this.sqlState = sqlState;
        this.answered = answered;
    }

    public static ProtocolViolation of(String message) {
        return new ProtocolViolation(SqlState.PROTOCOL_VIOLATION, message);
    }

    /** A violation the connection is closed for without an ErrorResponse. */
    public static ProtocolViolation unanswered(String message) {
        return new ProtocolViolation(SqlState.PROTOCOL_VIOLATION, message, false);
    }

    /** Whether the client is told (with an ErrorResponse) before the connection closes. */
    public boolean answered() {
        return answered;
    }

    public String sqlState() {
        return sqlState;
    }
}
