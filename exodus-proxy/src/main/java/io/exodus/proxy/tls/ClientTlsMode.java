package io.exodus.proxy.tls;

import java.util.Locale;

/** Whether clients may, must or must not talk to the proxy over TLS ({@code exodus.tls.mode}). */
public enum ClientTlsMode {
    DISABLE, ALLOW, REQUIRE;

    public static ClientTlsMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unknown exodus.tls.mode '" + text + "'; expected one of disable, allow, require");
        }
    }
}
