package io.exodus.proxy.health;

import io.exodus.proxy.consistency.TwoPhaseRecovery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready under the two-phase-commit policy until this proxy's prepared transactions from before its last crash are
 * finished: they hold locks that its clients' transactions would wait on.
 */
@Readiness
@ApplicationScoped
public class TwoPhaseRecoveryReadiness implements HealthCheck {
    private final TwoPhaseRecovery recovery;

    @Inject
    public TwoPhaseRecoveryReadiness(TwoPhaseRecovery recovery) {
        this.recovery = recovery;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("two-phase-recovery").status(recovery.recovered())
                .withData("required", recovery.required());
        if (recovery.required()) {
            response.withData("proxy-id", recovery.globalTransactionIds().proxyId())
                    .withData("left-prepared", String.join(", ", recovery.unresolved()));
        }
        return response.build();
    }
}
