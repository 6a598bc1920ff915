package io.exodus.analyzer.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * The analyzer is alive while it can answer HTTP. Capture, shadow testing and recommendations come with their
 * own readiness checks when they exist.
 */
@Liveness
@ApplicationScoped
public class AnalyzerLiveness implements HealthCheck {
    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("exodus-analyzer").up().build();
    }
}
