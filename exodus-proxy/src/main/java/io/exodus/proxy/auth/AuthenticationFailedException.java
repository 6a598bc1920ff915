package io.exodus.proxy.auth;

import io.exodus.proxy.wire.SqlState;

/**
 * An authentication exchange ended without letting the peer in. {@link #kind()} tells the session which
 * SQLSTATE to put in the ErrorResponse: a peer that broke the SASL or password protocol is treated differently
 * from one that simply proved the wrong password.
 */
public final class AuthenticationFailedException extends RuntimeException {

    public enum Kind {
        /** The message did not follow RFC 5802 or PostgreSQL's rules for it. */
        PROTOCOL_VIOLATION(SqlState.PROTOCOL_VIOLATION),
        /** The message was well formed but the proof or signature did not match the secret. */
        WRONG_PASSWORD(SqlState.INVALID_PASSWORD);

        private final String sqlState;

        Kind(String sqlState) {
            this.sqlState = sqlState;
        }

        public String sqlState() {
            return sqlState;
        }
    }

    private final Kind kind;

    public AuthenticationFailedException(Kind kind, String message) {
        // No stack trace: a failed login is an expected event on a busy proxy, not a bug to locate.
        super(message, null, false, false);
        this.kind = kind;
    }

    public static AuthenticationFailedException protocolViolation(String message) {
        return new AuthenticationFailedException(Kind.PROTOCOL_VIOLATION, message);
    }

    public static AuthenticationFailedException wrongPassword(String message) {
        return new AuthenticationFailedException(Kind.WRONG_PASSWORD, message);
    }

    public Kind kind() {
        return kind;
    }

    public String sqlState() {
        return kind.sqlState();
    }
}
