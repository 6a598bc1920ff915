package io.exodus.proxy.api;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.control.ControlPlane;
import io.exodus.proxy.control.Replica;
import io.exodus.proxy.sync.SyncRequest;
import io.exodus.proxy.sync.SyncService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * {@code POST /exodus/migration/sync}: starts the initial sync of the target (docs/initial-sync.md); its progress
 * shows as {@code "sync"} in {@code GET /exodus/migration}. Needs the admin token, as every change does.
 */
@Path("/exodus/migration/sync")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "migration")
public class SyncResource {
    private final SyncService sync;
    private final ExodusConfig config;
    private final ControlPlane control;

    public SyncResource(SyncService sync, ExodusConfig config, ControlPlane control) {
        this.sync = sync;
        this.config = config;
        this.control = control;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Starts the initial sync of an empty target; ends in phase dual-write",
            description = "Its progress shows as \"sync\" in GET /exodus/migration.")
    @APIResponse(responseCode = "202", description = "Started: the sync's status")
    @APIResponse(responseCode = "409", description = "Refused: a sync runs, no target, not phase direct, two-phase "
            + "commit, or other replicas are live")
    public Uni<Response> start(@HeaderParam("Authorization") String authorization, SyncRequest request) {
        if (config.admin().token().isEmpty()) {
            return Uni.createFrom().item(problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API"));
        }
        if (!AdminToken.matches(config, authorization)) {
            return Uni.createFrom().item(problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required"));
        }
        if (!control.enabled()) {
            return startAlone(request);
        }
        // The switch pauses this replica's sessions only: another live replica would go on writing to the source
        // alone while the target is brought up to date, and its writes between the slot's last change and its own
        // phase change would be missed.
        return Uni.createFrom().completionStage(control.replicas().toCompletionStage()).chain(replicas -> {
            List<String> others = replicas.stream().filter(Replica::live)
                    .map(Replica::id).filter(id -> !id.equals(control.replicaId())).toList();
            return others.isEmpty() ? startAlone(request) : Uni.createFrom().item(problem(Response.Status.CONFLICT,
                    "other replicas of "
                    + "fleet \"" + config.control().fleet() + "\" are live (" + String.join(", ", others) + "): the "
                    + "initial sync pauses the replica it runs on only, so stop the others (or scale to one) for the "
                    + "sync and start them again once the phase is dual-write"));
        }).onFailure().recoverWithItem(failure -> problem(Response.Status.SERVICE_UNAVAILABLE,
                "the fleet's replicas could not be read from the source (" + failure.getMessage() + ")"));
    }

    private Uni<Response> startAlone(SyncRequest request) {
        return Uni.createFrom().completionStage(sync.start(request == null ? SyncRequest.everything() : request)
                .toCompletionStage()).map(status -> Response.accepted(status).build())
                .onFailure(SyncService.Refused.class)
                .recoverWithItem(refused -> problem(Response.Status.CONFLICT, refused.getMessage()));
    }

    private static Response problem(Response.Status status, String message) {
        return Response.status(status).entity(new MigrationResource.Problem(message)).build();
    }
}
