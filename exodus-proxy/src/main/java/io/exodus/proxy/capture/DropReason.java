package io.exodus.proxy.capture;

import java.util.Locale;

/** Why a statement the proxy relayed did not reach the analyzer: the {@code reason} tag of {@code exodus.capture.events.dropped}. */
public enum DropReason {
    /** Not drawn by {@code exodus.capture.sample-rate}. */
    NOT_SAMPLED,
    /** The buffer between the relays and the sender was full: the analyzer is slow or down, or traffic outruns it. */
    BUFFER_FULL,
    /** Its text is longer than {@code exodus.capture.max-statement-bytes}. */
    TOO_LARGE,
    /** The session's prepared statement was not known to the tap (prepared with a text too large, or one of too many). */
    UNKNOWN_STATEMENT,
    /** Its batch could not be delivered within {@code exodus.capture.max-attempts} (analyzer down or unreachable). */
    ANALYZER_UNAVAILABLE,
    /** The analyzer refused its batch (an answer 4xx: a format both sides should agree on; see the proxy's log). */
    REFUSED;

    public String tag() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
