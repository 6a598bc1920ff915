package io.exodus.proxy.verify;

import java.util.HashMap;
import java.util.Map;

/** {@link VerificationProfile}'s proxy, verifying every table of the source URL's database every 2 s by itself. */
public class IntervalProfile extends VerificationProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.proxy-id", "intervaltest");
        overrides.put("exodus.verify.interval", "2s");
        return overrides;
    }
}
