package io.exodus.proxy.shadow;

import io.exodus.proxy.capture.FakeAnalyzerIntake;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/**
 * A proxy in phase dual-write, alone in its fleet, whose shadow strategy soaks for longer than any test (the tests
 * stop it) and shadows every eligible read, with a short timeout on the target; capture on, to a fake analyzer.
 */
public class ShadowProfile implements QuarkusTestProfile {
    /** How long a shadow read may run on the target in these tests. */
    static final int TIMEOUT_MILLIS = 500;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(Map.entry("exodus.migration.phase", "dual-write"),
                Map.entry("exodus.migration.policy", "both-required"),
                Map.entry("exodus.migration.proxy-id", "shadowtest"),
                Map.entry("exodus.control.fleet", "shadowtest"),
                Map.entry("exodus.admin.token", DualWriteProfile.TOKEN),
                Map.entry("exodus.migration.shadow.share", "100"),
                Map.entry("exodus.migration.shadow.timeout", TIMEOUT_MILLIS + "ms"),
                Map.entry("exodus.strategy.soak", "10m"),
                Map.entry("exodus.strategy.check-interval", "100ms"),
                // The seeded mismatches must not end the run: the tests read them, then stop it.
                Map.entry("exodus.strategy.max-shadow-mismatches", "1000000"),
                // Mismatches go to the analyzer through capture: a fake intake records them.
                Map.entry("exodus.capture.flush-interval", "100ms"),
                Map.entry("exodus.capture.recommendations-interval", "1h"));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FakeAnalyzerIntake.class));
    }
}
