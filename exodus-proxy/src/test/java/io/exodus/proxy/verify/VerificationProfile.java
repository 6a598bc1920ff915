package io.exodus.proxy.verify;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A proxy in dual-write with the admin token, re-checking differing rows sooner than by default, and counting tables
 * the planner takes for larger than 40,000 rows by estimate.
 */
public class VerificationProfile implements QuarkusTestProfile {
    public static final String TOKEN = "verify-admin-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.migration.phase", "dual-write", "exodus.migration.policy", "both-required",
                "exodus.migration.proxy-id", "verifytest", "exodus.admin.token", TOKEN,
                "exodus.verify.recheck-delay", "300ms", "exodus.verify.count-exact-limit", "40000");
    }
}
