package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What kind of difference a finding is; the words are the contract of {@code GET /analyzer/shadow}. */
public enum FindingKind {
    /** Other rows, another row count, other columns, or the same rows in another order not due to a collation. */
    RESULT,
    /** An error on one side only, or other errors on each. */
    ERROR,
    /** The same ORDER BY over text puts the rows in another order. */
    COLLATION,
    /** Another plan shape, estimated dearer on the target. */
    PLAN,
    /** The target's p95 well above the source's. */
    LATENCY;

    /** Whether the target answers otherwise, so that the statement should stay on the source until it is dealt with. */
    public boolean pinsToSource() {
        return this == RESULT || this == ERROR || this == COLLATION;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
