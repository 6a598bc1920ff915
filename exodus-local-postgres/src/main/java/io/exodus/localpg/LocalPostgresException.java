package io.exodus.localpg;

/** A local PostgreSQL server could not be prepared, started or stopped. */
public class LocalPostgresException extends RuntimeException {

    public LocalPostgresException(String message) {
        super(message);
    }

    public LocalPostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}
