package io.exodus.proxy.migration;

import io.exodus.proxy.config.ExodusConfig;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The migration's phase and consistency policy as this proxy sees them now. The policy can change while the proxy
 * runs; a session reads it when a transaction starts, so a change applies to new transactions only.
 */
@Singleton
public class MigrationState {
    private static final Logger LOG = Logger.getLogger(MigrationState.class);

    private final MigrationPhase phase;
    private volatile ConsistencyPolicy policy;
    private volatile double canaryPercent;

    public MigrationState(ExodusConfig config) {
        this.phase = MigrationPhase.fromConfig(config.migration().phase());
        this.policy = ConsistencyPolicy.fromConfig(config.migration().policy());
        this.canaryPercent = checkedPercent(config.migration().canaryPercent());
    }

    /** The share of reads outside transactions that go to the target: 0 outside phase canary. */
    public double canaryPercent() {
        return phase == MigrationPhase.CANARY ? canaryPercent : 0;
    }

    public void changeCanaryPercent(double percent) {
        double old = canaryPercent;
        canaryPercent = checkedPercent(percent);
        if (old != canaryPercent) {
            LOG.infof("Canary reads changed from %.1f %% to %.1f %% of reads outside transactions", old, canaryPercent);
        }
    }

    private static double checkedPercent(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("exodus.migration.canary-percent must be between 0 and 100, not "
                    + percent);
        }
        return percent;
    }

    public MigrationPhase phase() {
        return phase;
    }

    public ConsistencyPolicy policy() {
        return policy;
    }

    public void changePolicy(ConsistencyPolicy newPolicy) {
        ConsistencyPolicy old = policy;
        policy = newPolicy;
        if (old != newPolicy) {
            LOG.infof("Consistency policy changed from %s to %s for new transactions", old.configName(),
                    newPolicy.configName());
        }
    }
}
