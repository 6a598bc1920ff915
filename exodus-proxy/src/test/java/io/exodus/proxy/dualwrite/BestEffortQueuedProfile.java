package io.exodus.proxy.dualwrite;

import java.util.HashMap;
import java.util.Map;

/** Dual-write under best-effort in mode queued: every transaction reaches the target through the replay queue. */
public class BestEffortQueuedProfile extends DualWriteProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.policy", "best-effort");
        overrides.put("exodus.replay.best-effort-mode", "queued");
        overrides.put("exodus.replay.poll-interval", "200ms");
        return overrides;
    }
}
