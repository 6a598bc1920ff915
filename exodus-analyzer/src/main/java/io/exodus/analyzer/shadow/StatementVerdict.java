package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The outcome of replaying one statement shape; declared from the least to the most serious. */
public enum StatementVerdict {
    /** Nothing replayable, or every replay disagreed with its own baseline. */
    NOT_COMPARABLE,
    /** The target answered as the source did, up to noise. */
    SAME,
    /** Same answers, but slower or with a dearer plan on the target. */
    REGRESSED,
    /** Other answers (rows, order, collation). */
    DIFFERENT,
    /** An error on one side only, or other errors. */
    ERROR;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static StatementVerdict of(FindingKind kind) {
        return switch (kind) {
            case ERROR -> ERROR;
            case RESULT, COLLATION -> DIFFERENT;
            case PLAN, LATENCY -> REGRESSED;
        };
    }
}
