package io.exodus.capture;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a statement stands in its transaction, as the proxy reads it from the ReadyForQuery status before and after:
 * idle → in transaction is a {@link #BEGIN}, in transaction → idle a {@link #COMMIT} or (from failed) a
 * {@link #ROLLBACK}, idle → idle an {@link #AUTOCOMMIT} statement that was a transaction of its own.
 */
public enum TransactionBoundary {
    BEGIN,
    INSIDE,
    COMMIT,
    ROLLBACK,
    AUTOCOMMIT;

    @JsonValue
    public String wireName() {
        return WireName.of(this);
    }

    @JsonCreator
    public static TransactionBoundary fromWire(String text) {
        return WireName.parse(TransactionBoundary.class, text);
    }

    /** Whether the transaction ends with this statement. */
    public boolean ends() {
        return this == COMMIT || this == ROLLBACK || this == AUTOCOMMIT;
    }
}
