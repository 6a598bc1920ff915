package io.exodus.proxy.control;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A replica with the control plane on, in phase dual-write, in a fleet of its own on the shared source. */
public class FlipCheckProfile implements QuarkusTestProfile {
    public static final String FLEET = "flip-check-test-" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.control.enabled", "true", "exodus.control.fleet", FLEET,
                "exodus.migration.phase", "dual-write", "exodus.migration.policy", "both-required",
                "exodus.migration.proxy-id", "flip-check", "exodus.admin.token", DualWriteProfile.TOKEN,
                "exodus.migration.cutover.timeout", "5s",
                // Other classes leave the shared servers' databases different: RecentVerificationGateTest judges age.
                "exodus.migration.cutover.max-verification-age", "0s");
    }
}
