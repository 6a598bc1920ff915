package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where a shadow finding comes from: the analyzer's replay of captured traffic, or the proxy's live shadow reads. */
public enum FindingOrigin {
    /** POST /analyzer/shadow replayed captured statements on both databases. */
    REPLAY,
    /** The proxy's shadow strategy ran a client's read on both databases and the answers differed. */
    LIVE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
