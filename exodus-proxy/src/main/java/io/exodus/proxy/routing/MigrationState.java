package io.exodus.proxy.routing;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.ConsistencyPolicy;
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

    public MigrationState(ExodusConfig config) {
        this.phase = MigrationPhase.fromConfig(config.migration().phase());
        this.policy = ConsistencyPolicy.fromConfig(config.migration().policy());
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
