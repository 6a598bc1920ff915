package io.exodus.analyzer.health;

import io.exodus.analyzer.store.StoreDatabase;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the store answers: without it, capture batches cannot be kept and the workload cannot be read. */
@Readiness
@ApplicationScoped
public class StoreReadiness implements AsyncHealthCheck {
    private final StoreDatabase store;

    StoreReadiness(StoreDatabase store) {
        this.store = store;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().completionStage(() -> store.pool().query("SELECT 1").execute().toCompletionStage())
                .map(rows -> HealthCheckResponse.named("exodus-analyzer-store").up().build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("exodus-analyzer-store").down()
                        .withData("error", String.valueOf(failure.getMessage())).build());
    }
}
