package io.exodus.proxy.dualwrite;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link DualWriteProfile} in phase cutover: the target is the primary and the source receives every write, through
 * the same code with the roles swapped. Dual-write test classes run in that direction too by a subclass with this
 * profile (issue 13: the direction is a value).
 */
public class TargetPrimaryProfile extends DualWriteProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("exodus.migration.phase", "cutover");
        return overrides;
    }
}
