package io.exodus.proxy.health;

import io.exodus.proxy.backend.BackendEndpoints;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the source accepts connections: a proxy whose source is unreachable should get no traffic. */
@Readiness
@ApplicationScoped
public class SourceReadiness implements AsyncHealthCheck {
    private final Vertx vertx;
    private final BackendEndpoints endpoints;

    @Inject
    public SourceReadiness(Vertx vertx, BackendEndpoints endpoints) {
        this.vertx = vertx;
        this.endpoints = endpoints;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        var url = endpoints.source().url();
        var client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
        return Uni.createFrom().completionStage(() -> client.connect(url.socketAddress())
                        .onSuccess(socket -> socket.close()).toCompletionStage())
                .map(socket -> HealthCheckResponse.named("source").up()
                        .withData("endpoint", endpoints.source().describe()).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("source").down()
                        .withData("endpoint", endpoints.source().describe())
                        .withData("error", String.valueOf(failure.getMessage())).build())
                .eventually(() -> client.close());
    }
}
