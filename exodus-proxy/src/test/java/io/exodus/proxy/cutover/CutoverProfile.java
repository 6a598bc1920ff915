package io.exodus.proxy.cutover;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A proxy in phase dual-write, alone in its fleet, whose cutover waits 2 s at most for transactions in flight and
 * refuses while a replica of the new primary lags more than 1 s, or while the target failed more of its canary reads
 * than the source (judged from 5 reads).
 */
public class CutoverProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("exodus.migration.phase", "dual-write", "exodus.migration.policy", "both-required",
                "exodus.migration.proxy-id", "cutovertest", "exodus.control.fleet", "cutovertest",
                "exodus.admin.token", DualWriteProfile.TOKEN, "exodus.migration.cutover.timeout", "2s",
                "exodus.migration.cutover.max-replication-lag", "1s", "exodus.migration.cutover.min-reads", "5",
                // Other classes leave the shared servers' databases different: RecentVerificationGateTest judges age.
                "exodus.migration.cutover.max-verification-age", "0s");
    }
}
