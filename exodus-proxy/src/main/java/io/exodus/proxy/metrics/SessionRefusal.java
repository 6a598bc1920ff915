package io.exodus.proxy.metrics;

import java.util.Locale;

/** Why a client's session ended before it was relayed to a backend; the {@code reason} tag. */
public enum SessionRefusal {
    /** Wrong password, unknown user, or authentication not finished in time. */
    AUTH,
    /** Malformed startup, unsupported protocol version, no user name. */
    PROTOCOL,
    /** Plain text under {@code exodus.tls.mode=require}, or a failed TLS handshake. */
    TLS,
    /** The backend was unreachable or refused the session. */
    BACKEND,
    /** The proxy was shutting down. */
    SHUTDOWN;

    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
