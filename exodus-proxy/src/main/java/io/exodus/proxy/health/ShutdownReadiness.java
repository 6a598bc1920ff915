package io.exodus.proxy.health;

import io.exodus.proxy.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready once shutdown began, so that load balancers stop sending clients the proxy would refuse. */
@Readiness
@ApplicationScoped
public class ShutdownReadiness implements HealthCheck {
    private final SessionRegistry sessions;

    @Inject
    public ShutdownReadiness(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("accepting-sessions").status(!sessions.isDraining())
                .withData("open-sessions", sessions.size()).build();
    }
}
