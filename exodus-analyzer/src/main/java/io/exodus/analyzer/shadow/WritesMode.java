package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What a replay does with captured writes; they never reach the live target either way. */
public enum WritesMode {
    /** Listed as not comparable, not run. */
    SKIP,
    /**
     * Run in a transaction that is always rolled back, on a scratch database. Not available yet: a rolled-back write
     * on a live database still draws from its sequences and takes its locks, and there is no scratch database
     * setting yet, so a replay asked for it is refused instead of writing anywhere.
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
