package io.exodus.proxy.dualwrite;

import java.util.HashMap;
import java.util.Map;

/** Dual-write with a tiny replay queue and quick retries, for the queue's limits. */
public class CatchUpLimitsProfile extends DualWriteProfile {
    static final int MAX_ENTRIES = 3;
    static final int MAX_ATTEMPTS = 2;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.replay.max-entries", String.valueOf(MAX_ENTRIES));
        overrides.put("exodus.replay.max-attempts", String.valueOf(MAX_ATTEMPTS));
        overrides.put("exodus.replay.backoff-base", "50ms");
        overrides.put("exodus.replay.backoff-cap", "200ms");
        overrides.put("exodus.replay.poll-interval", "200ms");
        return overrides;
    }
}
