package io.exodus.proxy.metrics;

import java.util.Locale;

/** Who made an ErrorResponse that a client received; the {@code origin} tag. */
public enum ErrorOrigin {
    /** Relayed from the database. */
    BACKEND,
    /** Made by the proxy: protocol violations, authentication failures, backend unreachable, shutdown. */
    PROXY;

    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
