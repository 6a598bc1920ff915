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
 * Whether the source accepts connections: needed while it is the primary (until the cutover), after it as the
 * secondary only under a policy that fails the client without it, no longer once retired.
 */
@Readiness
@Singleton
public class SourceReadiness extends DatabaseReadiness {
    private final BackendEndpoints endpoints;

    @Inject
    public SourceReadiness(Vertx vertx, BackendEndpoints endpoints, MigrationState migration) {
        super(vertx, migration, Side.SOURCE);
        this.endpoints = endpoints;
    }

    @Override
    Optional<BackendEndpoint> endpoint() {
        return Optional.of(endpoints.source());
    }
}
