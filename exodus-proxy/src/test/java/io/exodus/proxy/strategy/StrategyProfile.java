package io.exodus.proxy.strategy;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A proxy in phase dual-write, alone in its fleet, whose strategies take two canary steps of 1 s each, and whose
 * shadow steps compare every read they can.
 */
public class StrategyProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(Map.entry("exodus.migration.phase", "dual-write"),
                Map.entry("exodus.migration.policy", "both-required"),
                Map.entry("exodus.migration.proxy-id", "strategytest"),
                Map.entry("exodus.control.fleet", "strategytest"),
                Map.entry("exodus.admin.token", DualWriteProfile.TOKEN),
                Map.entry("exodus.migration.cutover.timeout", "2s"),
                // Other classes leave the shared servers' databases different: RecentVerificationGateTest judges age.
                Map.entry("exodus.migration.cutover.max-verification-age", "0s"),
                Map.entry("exodus.strategy.canary-steps", "50,100"),
                Map.entry("exodus.migration.tenant-key", "application-name"),
                Map.entry("exodus.strategy.soak", "1s"),
                Map.entry("exodus.strategy.check-interval", "100ms"),
                Map.entry("exodus.strategy.min-reads", "5"),
                Map.entry("exodus.migration.shadow.share", "100"),
                // Shared servers under a parallel test load: the latency gate would judge the machine, not the target.
                Map.entry("exodus.strategy.max-latency-ratio", "50"));
    }
}
