package io.exodus.proxy.metrics;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;

/** The proxy with its Datadog and DogStatsD registries pointed at a {@link FakeDatadogIntake}. */
public class FakeDatadogProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FakeDatadogIntake.class));
    }
}
