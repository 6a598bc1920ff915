package io.exodus.proxy.control;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A replica with the control plane on, in a fleet of its own on the shared source; it starts in phase direct, with a canary share
 * set for later. */
public class ControlPlaneProfile implements QuarkusTestProfile {
    public static final String TOKEN = "control-token";
    public static final String FLEET = "control-plane-test-" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.control.enabled", "true", "exodus.control.fleet", FLEET,
                "exodus.control.poll-interval", "3s", "exodus.control.apply-timeout", "1s",
                "exodus.migration.phase", "direct", "exodus.migration.proxy-id", "replica-a",
                "exodus.admin.token", TOKEN, "exodus.migration.canary-percent", "10");
    }
}
