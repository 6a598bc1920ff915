package io.exodus.analyzer.api;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Shadow replay of captured traffic against the target, with the source as the noise baseline. */
@Path("/analyzer/shadow")
@Tag(name = "shadow", description = "Replay of captured statements on the target and the source, compared")
public class ShadowResource {
    private final ShadowService shadow;
    private final ObjectMapper json;

    ShadowResource(ShadowService shadow, ObjectMapper json) {
        this.shadow = shadow;
        this.json = json;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
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
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ReplayRequest.class)))
    public Response start(byte[] body) {
        // Read here rather than by the framework, so that a malformed body gets a JSON answer saying what is wrong.
        ShadowReport running = shadow.start(ReplayRequest.parse(json, body));
        return Response.accepted(running).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The latest replay: its state, each statement shape's verdict, and the findings")
    public ShadowReport report() {
        return shadow.report();
    }
}
