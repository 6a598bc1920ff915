package io.exodus.proxy.verify;

import java.util.HashMap;
import java.util.Map;

/** {@link VerificationProfile}'s proxy in phase cutover: the target is the primary, the source the one repaired. */
public class CutoverRepairProfile extends VerificationProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.proxy-id", "cutoverrepairtest");
        overrides.put("exodus.migration.phase", "cutover");
        return overrides;
    }
}
