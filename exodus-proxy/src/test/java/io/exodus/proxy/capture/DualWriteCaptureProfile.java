package io.exodus.proxy.capture;

import io.exodus.proxy.dualwrite.DualWriteProfile;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Phase dual-write with capture on, shipping to a {@link FakeAnalyzerIntake}. */
public class DualWriteCaptureProfile extends DualWriteProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.putAll(new CaptureProfile().getConfigOverrides());
        return overrides;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FakeAnalyzerIntake.class));
    }
}
