package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where the latest replay stands. */
public enum ReplayState {
    /** None started since the analyzer started. */
    IDLE,
    RUNNING,
    DONE,
    /** It stopped before comparing everything (the store or a database failed); the message says why. */
    FAILED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
