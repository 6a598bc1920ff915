package io.exodus.proxy.cutover;

import java.util.HashMap;
import java.util.Map;

/** {@link CutoverProfile}, whose cutover also needs every database of the source verified whole within an hour. */
public class RecentVerificationProfile extends CutoverProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.cutover.max-verification-age", "1h");
        return overrides;
    }
}
