package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What a replay does with captured writes; they never reach the live target either way. */
public enum WritesMode {
    /** Listed as not comparable, not run. */
    SKIP,
    /**
     * Run in a transaction that is always rolled back, on scratch copies of the source and the target
     * (exodus.analyzer.shadow.scratch-source-url, -target-url), never on the live ones: a rolled-back write still
     * draws from its sequences and takes its locks. Refused when the copies are not configured.
     */
    ROLLBACK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static WritesMode of(String wireName) {
        for (WritesMode mode : values()) {
            if (mode.wireName().equals(wireName)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("writes must be skip or rollback, not '" + wireName + "'");
    }
}
