package io.exodus.proxy.api;

import io.exodus.proxy.control.ControlChange;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.TenantReads;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Tenant by tenant (the user-by-user strategy, docs/strategies.md): a tenant's own share of reads on the target in
 * phase canary, 100 when it is moved, and its rollback to the fleet's share. On every replica, like the canary share.
 */
@Path("/exodus/migration/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "migration", description = "The migration's state, and the changes every replica obeys")
public class TenantResource {
    private static final Logger LOG = Logger.getLogger(TenantResource.class);

    private final MigrationState migration;
    private final MigrationChanges changes;
    private final AdminToken token;

    public TenantResource(MigrationState migration, MigrationChanges changes, AdminToken token) {
        this.migration = migration;
        this.changes = changes;
        this.token = token;
    }

    /**
     * @param tenantKey what names a session's tenant ({@code exodus.migration.tenant-key})
     * @param tenants   each tenant with a share of its own, in percent of its reads outside transactions; the others
     *                  follow the fleet's canary share
     */
    public record Tenants(String tenantKey, Map<String, Double> tenants) {
    }

    /** @param reason why, for the audit log (optional) */
    public record TenantChange(Double percent, String reason) {
    }

    @GET
    @Operation(summary = "The tenants with a share of reads of their own, and what names a session's tenant")
    public Response tenants(@HeaderParam("Authorization") String authorization) {
        Optional<Response> refused = token.refuseRead(authorization);
        return refused.orElseGet(() -> Response.ok(current()).build());
    }

    @PUT
    @Path("/{tenant}")
    @Operation(summary = "Sends this share of one tenant's reads to the target (100: the tenant is moved), on every "
            + "replica; its writes keep the fleet's one order")
    @APIResponse(responseCode = "400", description = "No share between 0 and 100")
    @APIResponse(responseCode = "409", description = "The phase is not canary")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> move(@HeaderParam("Authorization") String authorization,
            @HeaderParam(MigrationResource.ACTOR_HEADER) String actor, @PathParam("tenant") String tenant,
            TenantChange change) {
        Optional<Response> refused = token.refuseChange(authorization);
        if (refused.isPresent()) {
            return Uni.createFrom().item(refused.get());
        }
        if (change == null || change.percent() == null || !(change.percent() >= 0 && change.percent() <= 100)) {
            return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST,
                    "give {\"percent\": <0 to 100>}: the share of the tenant's reads on the target"));
        }
        return changeShares(actor, change.reason(), shares -> shares.with(tenant, change.percent()));
    }

    @DELETE
    @Path("/{tenant}")
    @Operation(summary = "Rolls one tenant back: its reads follow the fleet's canary share again, on every replica")
    @APIResponse(responseCode = "409", description = "The phase is not canary")
    public Uni<Response> rollBack(@HeaderParam("Authorization") String authorization,
            @HeaderParam(MigrationResource.ACTOR_HEADER) String actor, @PathParam("tenant") String tenant) {
        Optional<Response> refused = token.refuseChange(authorization);
        if (refused.isPresent()) {
            return Uni.createFrom().item(refused.get());
        }
        return changeShares(actor, "tenant " + tenant + " rolled back", shares -> shares.without(tenant));
    }

    /** The change, by a caller the token let through. */
    private Uni<Response> changeShares(String actor, String reason, UnaryOperator<TenantReads> change) {
        if (migration.phase() != MigrationPhase.CANARY) {
            return Uni.createFrom().item(Problem.response(Response.Status.CONFLICT, "a tenant's reads move in phase "
                    + "canary (PUT /exodus/migration/phase, with PUT /exodus/migration/canary {\"percent\": 0} to keep "
                    + "the other tenants on the source); this proxy runs in phase " + migration.phase().configName()));
        }
        String to = change.apply(migration.tenantReads()).json();
        return Uni.createFrom().completionStage(() -> changes.change(ControlSetting.TENANT_READS, to,
                        MigrationResource.actorOf(actor), reason).toCompletionStage())
                .map(done -> Response.ok(answer(done)).build())
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Change of the tenants' shares to %s not made: %s", to, failure.getMessage());
                    return Problem.response(Response.Status.SERVICE_UNAVAILABLE, "the fleet's state on the source "
                            + "could not be changed (" + failure.getMessage() + "); nothing was changed, try again");
                });
    }

    private Tenants current() {
        return new Tenants(migration.tenantKey().configName(), migration.tenantReads().shares());
    }

    /** The tenants' shares now, and for a fleet the change's version and which replicas applied it. */
    private Map<String, Object> answer(ControlChange change) {
        return MigrationResource.changed("tenants", migration.tenantReads().shares(),
                changes.fleetWide() ? change : null);
    }
}
