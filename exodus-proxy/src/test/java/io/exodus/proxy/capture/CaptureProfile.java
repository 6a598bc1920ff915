package io.exodus.proxy.capture;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** The proxy in phase direct with capture on, shipping to a {@link FakeAnalyzerIntake} quickly. */
public class CaptureProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.capture.flush-interval", "100ms", "exodus.capture.retry-backoff", "50ms",
                "exodus.capture.retry-backoff-cap", "200ms", "exodus.capture.max-attempts", "2",
                "exodus.capture.parameters", "all", "exodus.capture.recommendations-interval", "1h");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FakeAnalyzerIntake.class));
    }
}
