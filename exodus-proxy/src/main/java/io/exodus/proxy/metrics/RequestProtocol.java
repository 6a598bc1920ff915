package io.exodus.proxy.metrics;

import io.exodus.proxy.wire.FrontendMessageType;

import java.util.Locale;

/**
 * The kinds of request the proxy times, by the client message that ends one and is answered by one
 * ReadyForQuery; the {@code protocol} tag.
 */
public enum RequestProtocol {
    /** A Query message. */
    SIMPLE,
    /** Everything up to and including a Sync (Parse, Bind, Describe, Execute …). */
    EXTENDED,
    /** A FunctionCall message. */
    FUNCTION;

    private static final RequestProtocol[] VALUES = values();

    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The ordinal of the request this client message ends, or -1 if it ends none. */
    static int ordinalEndedBy(byte messageType) {
        return switch (messageType) {
            case FrontendMessageType.QUERY -> 0;
            case FrontendMessageType.SYNC -> 1;
            case FrontendMessageType.FUNCTION_CALL -> 2;
            default -> -1;
        };
    }

    static RequestProtocol ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
