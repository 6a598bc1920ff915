package io.exodus.proxy.control;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A replica whose lease outlives a heartbeat by far less than the heartbeat's interval: most requests find it expired,
 * as after a pause of the process, and must be served on a confirmation asked on demand.
 */
public class ShortLeaseProfile implements QuarkusTestProfile {
    public static final String TOKEN = "short-lease-token";
    public static final String FLEET = "short-lease-test-" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.control.enabled", "true", "exodus.control.fleet", FLEET,
                "exodus.control.heartbeat-interval", "1s", "exodus.control.stale-after", "300ms",
                "exodus.migration.phase", "direct", "exodus.migration.policy", "both-required",
                "exodus.migration.proxy-id", "short-lease", "exodus.admin.token", TOKEN);
    }
}
