package io.exodus.proxy.verify;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link VerificationProfile}'s proxy, its verification's queries capped at 20 % of each database's time, tables cut
 * into segments of 500 rows: a verification of 20,000 rows takes dozens of paced queries, each followed by a pause four
 * times its length, which leaves seconds to interrupt it mid-table. A lower cap only lengthens the three verifications
 * of {@link ResumeAndThrottleTest}'s 20,000 rows (at 5 % they took 50 s).
 */
public class ThrottledProfile extends VerificationProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.proxy-id", "throttledtest");
        overrides.put("exodus.verify.max-database-share", "0.2");
        overrides.put("exodus.verify.segment-rows", "500");
        return overrides;
    }
}
