package io.exodus.proxy.auth;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the proxy asks clients to prove who they are ({@code exodus.auth.method}). */
public enum AuthMethod {
    SCRAM_SHA_256("scram-sha-256"),
    MD5("md5"),
    TRUST("trust");

    private final String text;

    AuthMethod(String text) {
        this.text = text;
    }

    public static AuthMethod parse(String text) {
        for (AuthMethod method : values()) {
            if (method.text.equalsIgnoreCase(text)) {
                return method;
            }
        }
        throw new IllegalArgumentException("Unknown exodus.auth.method '" + text + "'; expected one of "
                + Arrays.stream(values()).map(m -> m.text).collect(Collectors.joining(", ")));
    }
}
