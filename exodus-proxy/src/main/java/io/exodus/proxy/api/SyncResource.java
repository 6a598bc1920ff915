package io.exodus.proxy.api;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.sync.SyncRequest;
import io.exodus.proxy.sync.SyncService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /exodus/migration/sync}: starts the initial sync of the target (docs/initial-sync.md); its progress
 * shows as {@code "sync"} in {@code GET /exodus/migration}. Needs the admin token, as every change does.
 */
@Path("/exodus/migration/sync")
@Produces(MediaType.APPLICATION_JSON)
public class SyncResource {
    private final SyncService sync;
    private final ExodusConfig config;

    public SyncResource(SyncService sync, ExodusConfig config) {
        this.sync = sync;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(@HeaderParam("Authorization") String authorization, SyncRequest request) {
        if (config.admin().token().isEmpty()) {
            return problem(Response.Status.FORBIDDEN,
                    "changes are disabled: set exodus.admin.token (EXODUS_ADMIN_TOKEN) to enable the admin API");
        }
        if (!AdminToken.matches(config, authorization)) {
            return problem(Response.Status.UNAUTHORIZED, "a valid bearer token is required");
        }
        try {
            return Response.accepted(sync.start(request == null ? SyncRequest.everything() : request)).build();
        } catch (SyncService.Refused refused) {
            return problem(Response.Status.CONFLICT, refused.getMessage());
        }
    }

    private static Response problem(Response.Status status, String message) {
        return Response.status(status).entity(new MigrationResource.Problem(message)).build();
    }
}
