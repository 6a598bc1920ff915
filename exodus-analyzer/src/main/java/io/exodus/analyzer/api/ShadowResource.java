package io.exodus.analyzer.api;

import io.exodus.analyzer.shadow.ReplayRequest;
import io.exodus.analyzer.shadow.ShadowReport;
import io.exodus.analyzer.shadow.ShadowService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Shadow replay of captured traffic against the target, with the source as the noise baseline. */
@Path("/analyzer/shadow")
@Tag(name = "shadow", description = "Replay of captured statements on the target and the source, compared")
public class ShadowResource {
    private final ShadowService shadow;

    ShadowResource(ShadowService shadow) {
        this.shadow = shadow;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a replay of what was captured (optional body: since, fingerprints, writes)")
    @APIResponse(responseCode = "202", description = "Started; GET /analyzer/shadow shows its progress and result",
            content = @Content(schema = @Schema(implementation = ShadowReport.class)))
    @APIResponse(responseCode = "400", description = "A body that cannot be replayed as asked",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Another replay is running",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "No source or no target configured",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response start(ReplayRequest request) {
        ShadowReport running = shadow.start(request == null ? ReplayRequest.everything() : request);
        return Response.accepted(running).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The latest replay: its state, each statement shape's verdict, and the findings")
    public ShadowReport report() {
        return shadow.report();
    }
}
