package io.exodus.proxy.dualwrite;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A proxy that starts in phase direct, with a target configured, for tests that change the phase at run time. */
public class PhaseChangeProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.migration.phase", "direct", "exodus.migration.policy", "both-required",
                "exodus.migration.proxy-id", "phasechangetest", "exodus.admin.token", DualWriteProfile.TOKEN);
    }
}
