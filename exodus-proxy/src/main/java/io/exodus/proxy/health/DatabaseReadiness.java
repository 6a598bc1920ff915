package io.exodus.proxy.health;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import org.eclipse.microprofile.health.HealthCheckResponse;

import java.util.Optional;

/**
 * Whether one database accepts connections, judged by the role the phase gives it. The primary is needed; the
 * secondary only under a policy whose client fails with it (two-phase-commit, and the authoritative side's policy);
 * a side the phase does not use (the target in phase direct, the source once retired) is not needed. An unreachable
 * database that is not needed leaves the check UP and says so, for the dashboards: load balancers must not take a
 * proxy that can serve out of rotation.
 */
abstract class DatabaseReadiness implements AsyncHealthCheck {
    private final Vertx vertx;
    private final MigrationState migration;
    private final Side side;

    DatabaseReadiness(Vertx vertx, MigrationState migration, Side side) {
        this.vertx = vertx;
        this.migration = migration;
        this.side = side;
    }

    /** The database of this side, when configured. */
    abstract Optional<BackendEndpoint> endpoint();

    @Override
    public Uni<HealthCheckResponse> call() {
        MigrationPhase phase = migration.phase();
        Optional<BackendEndpoint> endpoint = endpoint();
        if (endpoint.isEmpty() || !uses(phase)) {
            return Uni.createFrom().item(HealthCheckResponse.named(side.configName()).up()
                    .withData("phase", phase.configName()).build());
        }
        boolean needed = phase.primary() == side
                || migration.policy().secondaryFailureFailsClient(side == Side.TARGET);
        var client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
        return Uni.createFrom().completionStage(() -> client.connect(endpoint.get().url().socketAddress())
                        .onSuccess(socket -> socket.close()).toCompletionStage())
                .map(socket -> HealthCheckResponse.named(side.configName()).up()
                        .withData("endpoint", endpoint.get().describe()).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(side.configName()).status(!needed)
                        .withData("endpoint", endpoint.get().describe())
                        .withData("role", phase.primary() == side ? "primary" : "secondary")
                        .withData("policy", migration.policy().configName())
                        .withData("error", String.valueOf(failure.getMessage())).build())
                .eventually(() -> client.close());
    }

    private boolean uses(MigrationPhase phase) {
        return phase.primary() == side || phase.writesBothDatabases();
    }
}
