package io.exodus.proxy.dualwrite;

import java.util.HashMap;
import java.util.Map;

/** Phase canary with every read outside a transaction on the target (tests change the share at run time). */
public class CanaryProfile extends DualWriteProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.phase", "canary");
        overrides.put("exodus.migration.canary-percent", "100");
        overrides.put("exodus.replay.poll-interval", "200ms");
        return overrides;
    }
}
