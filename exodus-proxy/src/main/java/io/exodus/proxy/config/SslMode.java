package io.exodus.proxy.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** libpq's sslmode, as the proxy applies it to its own connections to a backend. */
public enum SslMode {
    DISABLE("disable"),
    ALLOW("allow"),
    PREFER("prefer"),
    REQUIRE("require"),
    VERIFY_CA("verify-ca"),
    VERIFY_FULL("verify-full");

    private final String text;

    SslMode(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** Whether the proxy asks the backend for TLS at all. */
    public boolean attemptsTls() {
        return this != DISABLE && this != ALLOW;
    }

    /** Whether a backend that refuses TLS is an error. */
    public boolean requiresTls() {
        return this == REQUIRE || this == VERIFY_CA || this == VERIFY_FULL;
    }

    public boolean verifiesCertificate() {
        return this == VERIFY_CA || this == VERIFY_FULL;
    }

    public static SslMode parse(String text) {
        for (SslMode mode : values()) {
            if (mode.text.equals(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Unknown sslmode '" + text + "'; expected one of "
                + Arrays.stream(values()).map(SslMode::text).collect(Collectors.joining(", ")));
    }
}
