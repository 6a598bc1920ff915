package io.exodus.proxy.cutover;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A proxy in phase dual-write whose cutover guards the application's role {@code app_scram} on the source. */
public class BypassGuardProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.migration.phase", "dual-write", "exodus.migration.policy", "both-required",
                "exodus.migration.proxy-id", "bypassguardtest", "exodus.control.fleet", "bypassguardtest",
                "exodus.admin.token", DualWriteProfile.TOKEN, "exodus.migration.cutover.timeout", "2s",
                "exodus.migration.cutover.bypass-guard.enabled", "true",
                "exodus.migration.cutover.bypass-guard.roles", TestUsers.SCRAM_USER,
                "exodus.migration.cutover.bypass-guard.check-interval", "100ms",
                // Other classes leave the shared servers' databases different: RecentVerificationGateTest judges age.
                "exodus.migration.cutover.max-verification-age", "0s");
    }
}
