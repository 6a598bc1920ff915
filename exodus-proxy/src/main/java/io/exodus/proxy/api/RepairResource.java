package io.exodus.proxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.proxy.verify.Repair;
import io.exodus.proxy.verify.VerificationRefused;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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

import java.util.List;
import java.util.Optional;

/**
 * Repair of the rows the last verification found differing (docs/verification.md): {@code POST …/repair} copies them
 * again from the current primary onto the other database and answers with what it changed; {@code GET …/repair}
 * shows the last repair. Both need the admin token.
 */
@Path("/exodus/migration")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "verification", description = "Is the target the same as the source?")
public class RepairResource {
    private final Repair repair;
    private final AdminToken token;
    private final ObjectMapper json;

    public RepairResource(Repair repair, AdminToken token, ObjectMapper json) {
        this.repair = repair;
        this.token = token;
        this.json = json;
    }

    /** @param tables the tables to repair, as SQL would name them; each must have been in the last verification */
    public record RepairRequest(List<String> tables) {
    }

    @POST
    @Path("/repair")
    @Operation(summary = "Copies the rows the last verification found differing again from the primary",
            description = "Each table in one transaction on the other database; rows that are the same again are "
                    + "left alone. Answers when done, with every row inserted, updated or deleted.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RepairRequest.class)))
    @APIResponse(responseCode = "200", description = "Repaired: what was changed, by table and key")
    @APIResponse(responseCode = "400", description = "No tables named, or a table not in the last verification")
    @APIResponse(responseCode = "409", description = "No verification to repair from, or one (or a repair) runs")
    public Uni<Response> repair(@HeaderParam("Authorization") String authorization, String body) {
        Optional<Response> refused = token.refuseChange(authorization);
        if (refused.isPresent()) {
            return Uni.createFrom().item(refused.get());
        }
        RepairRequest request;
        try {
            request = body == null || body.isBlank() ? new RepairRequest(List.of())
                    : json.readValue(body, RepairRequest.class);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST,
                    "the body must be JSON like {\"tables\": [\"public.accounts\"]}: " + e.getOriginalMessage()));
        }
        return Uni.createFrom().completionStage(repair.repair(request.tables()).toCompletionStage())
                .map(report -> Response.ok(report).build())
                .onFailure(VerificationRefused.class).recoverWithItem(VerificationResource::refused);
    }

    @GET
    @Path("/repair")
    @Operation(summary = "The last repair's report")
    @APIResponse(responseCode = "404", description = "No repair has run on this proxy")
    public Response report(@HeaderParam("Authorization") String authorization) {
        Optional<Response> refused = token.refuseRead(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        return repair.latest().map(report -> Response.ok(report).build())
                .orElseGet(() -> Problem.response(Response.Status.NOT_FOUND,
                        "no repair has run on this proxy yet: verify, then POST /exodus/migration/repair"));
    }
}
