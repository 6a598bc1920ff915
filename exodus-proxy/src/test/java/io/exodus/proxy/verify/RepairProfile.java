package io.exodus.proxy.verify;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link VerificationProfile}'s proxy of its own: a repair test starts with no verification on the proxy, whatever
 * the tests before it verified.
 */
public class RepairProfile extends VerificationProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.proxy-id", "repairtest");
        return overrides;
    }
}
