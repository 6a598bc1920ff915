package io.exodus.proxy.metrics;

import java.util.Locale;

/** Why a dual-write session stopped using its secondary: the {@code reason} of {@code exodus.secondary.detached}. */
public enum SecondaryDetachment {
    /** The secondary closed the connection, the connection failed, or it sent a malformed message. */
    LOST,
    /** The secondary did not answer a request within {@code exodus.migration.secondary-timeout}. */
    TIMEOUT,
    /** Policy both-required after a secondary failure: the session keeps to the primary until it ends. */
    PINNED,
    /** The replay queue has entries: the session's writes go there until it has drained, then it reconnects. */
    QUEUED,
    /**
     * The secondary refused a statement that set up the session's state on the primary (SET, PREPARE …), or a
     * reconnected secondary could not be given that state: the session's statements would run there under other
     * settings. It reconnects with the primary's state at a later boundary.
     */
    SESSION_STATE;

    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
