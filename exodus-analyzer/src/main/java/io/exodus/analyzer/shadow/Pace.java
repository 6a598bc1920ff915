package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** When a replay starts each execution. The load guard and the concurrency limit hold either back. */
public enum Pace {
    /** As soon as a permit is free. */
    FAST,
    /**
     * On the capture's timeline: an execution starts no earlier than its offset from the first execution replayed,
     * as the proxy saw them, so that the replay's mix over time is the captured one. Executions late for their time
     * (held back by the guard or the limit) start as soon as they may.
     */
    CAPTURED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Pace of(String wireName) {
        for (Pace pace : values()) {
            if (pace.wireName().equals(wireName)) {
                return pace;
            }
        }
        throw new IllegalArgumentException("pace must be fast or captured, not '" + wireName + "'");
    }
}
