package io.exodus.proxy.health;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * In phase dual-write, whether the target accepts connections. An unreachable target makes the proxy unready only
 * under a policy that cannot commit a write without it (two-phase-commit, new-authoritative); under the others the
 * source goes on alone, and the check stays UP and says so, for the dashboards.
 */
@Readiness
@ApplicationScoped
public class TargetReadiness implements AsyncHealthCheck {
    private final Vertx vertx;
    private final BackendEndpoints endpoints;
    private final MigrationState migration;

    @Inject
    public TargetReadiness(Vertx vertx, BackendEndpoints endpoints, MigrationState migration) {
        this.vertx = vertx;
        this.endpoints = endpoints;
        this.migration = migration;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!migration.phase().usesTarget() || endpoints.target().isEmpty()) {
            return Uni.createFrom().item(HealthCheckResponse.named("target").up()
                    .withData("phase", migration.phase().configName()).build());
        }
        var target = endpoints.target().get();
        boolean needed = migration.policy().secondaryFailureFailsClient(true);
        var client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
        return Uni.createFrom().completionStage(() -> client.connect(target.url().socketAddress())
                        .onSuccess(socket -> socket.close()).toCompletionStage())
                .map(socket -> HealthCheckResponse.named("target").up()
                        .withData("endpoint", target.describe()).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("target").status(!needed)
                        .withData("endpoint", target.describe())
                        .withData("policy", migration.policy().configName())
                        .withData("error", String.valueOf(failure.getMessage())).build())
                .eventually(() -> client.close());
    }
}
