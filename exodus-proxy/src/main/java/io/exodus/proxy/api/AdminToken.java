package io.exodus.proxy.api;

import io.exodus.proxy.config.ExodusConfig;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The admin API's bearer token ({@code exodus.admin.token}): without one configured, reads are open and changes
 * refused; with one, both need it. The same rules as {@link MigrationResource}'s.
 */
@Singleton
public class AdminToken {
    private final Optional<String> token;

    public AdminToken(ExodusConfig config) {
        this.token = config.admin().token();
    }

    /** Why a change is refused, or empty when the header carries the token. */
    Optional<Response> refuseChange(String authorization) {
        if (token.isEmpty()) {
            return Optional.of(Problem.response(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API"));
        }
        return refuseRead(authorization);
    }

    /** Why a read is refused, or empty when no token is configured or the header carries it. */
    Optional<Response> refuseRead(String authorization) {
        if (token.isEmpty() || carries(authorization)) {
            return Optional.empty();
        }
        return Optional.of(Problem.response(Response.Status.UNAUTHORIZED,
                "a valid bearer token (exodus.admin.token) is required: Authorization: Bearer <token>"));
    }

    private boolean carries(String header) {
        return token.isPresent() && carries(token.get(), header);
    }

    /** Whether the header carries the configured token (false when none is configured). */
    static boolean matches(ExodusConfig config, String header) {
        return config.admin().token().map(configured -> carries(configured, header)).orElse(false);
    }

    private static boolean carries(String configured, String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        // Constant time: the comparison's duration says nothing about how much of a guess was right.
        return MessageDigest.isEqual(configured.getBytes(StandardCharsets.UTF_8),
                header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8));
    }
}
