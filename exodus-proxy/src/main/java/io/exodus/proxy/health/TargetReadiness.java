package io.exodus.proxy.health;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;

/**
 * Whether the target accepts connections: not used in phase direct; in dual-write needed only under a policy that
 * cannot commit a write without it (two-phase-commit, new-authoritative), so that under the others the source goes
 * on alone; needed from the cutover on, as the primary.
 */
@Readiness
@Singleton
public class TargetReadiness extends DatabaseReadiness {
    private final BackendEndpoints endpoints;

    @Inject
    public TargetReadiness(Vertx vertx, BackendEndpoints endpoints, MigrationState migration) {
        super(vertx, migration, Side.TARGET);
        this.endpoints = endpoints;
    }

    @Override
    Optional<BackendEndpoint> endpoint() {
        return endpoints.target();
    }
}
