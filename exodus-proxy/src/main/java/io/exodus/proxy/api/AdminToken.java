package io.exodus.proxy.api;

import io.exodus.proxy.config.ExodusConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The bearer token check of the admin API's changes, in constant time. */
final class AdminToken {
    private AdminToken() {
    }

    static boolean matches(ExodusConfig config, String header) {
        String token = config.admin().token().orElse(null);
        if (token == null || header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8));
    }
}
