package io.exodus.proxy.verify;

import java.util.HashMap;
import java.util.Map;

/** {@link VerificationProfile}'s proxy of its own, whose repairs wait at most 1 s for a lock. */
public class ShortRepairLockProfile extends VerificationProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.proxy-id", "repairlocktest");
        overrides.put("exodus.verify.repair-lock-timeout", "1s");
        return overrides;
    }
}
