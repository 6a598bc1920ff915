package io.exodus.proxy.cutover;

import java.util.HashMap;
import java.util.Map;

/** {@link CutoverProfile} with the recent-verification gate at its default: every database verified within 24 h. */
public class RecentVerificationProfile extends CutoverProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.remove("exodus.migration.cutover.max-verification-age");
        return overrides;
    }
}
