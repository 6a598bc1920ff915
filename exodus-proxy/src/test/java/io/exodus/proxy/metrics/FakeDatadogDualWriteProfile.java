package io.exodus.proxy.metrics;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** A proxy in phase dual-write (policy both-required) whose Datadog and DogStatsD registries feed a fake intake. */
public class FakeDatadogDualWriteProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.migration.phase", "dual-write", "exodus.migration.policy", "both-required",
                "exodus.migration.proxy-id", "metricstest");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FakeDatadogIntake.class));
    }
}
