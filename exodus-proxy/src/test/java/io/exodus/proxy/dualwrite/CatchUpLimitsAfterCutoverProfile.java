package io.exodus.proxy.dualwrite;

import java.util.HashMap;
import java.util.Map;

/** {@link CatchUpLimitsProfile} in phase cutover: the target's queue, replayed into the source, with the same limits. */
public class CatchUpLimitsAfterCutoverProfile extends CatchUpLimitsProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.phase", "cutover");
        return overrides;
    }
}
