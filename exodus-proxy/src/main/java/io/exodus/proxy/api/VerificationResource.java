package io.exodus.proxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.proxy.verify.RowCounts;
import io.exodus.proxy.verify.Verification;
import io.exodus.proxy.verify.VerificationRefused;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
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
import java.util.function.Function;

/**
 * Row-by-row verification of the target against the source (docs/verification.md): {@code POST …/verify} starts one,
 * {@code GET …/verification} shows the last one's report and progress; {@code …/row-counts} the same for row counts.
 * All need the admin token.
 */
@Path("/exodus/migration")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "verification", description = "Is the target the same as the source?")
public class VerificationResource {
    private final Verification verification;
    private final RowCounts rowCounts;
    private final AdminToken token;
    private final ObjectMapper json;

    public VerificationResource(Verification verification, RowCounts rowCounts, AdminToken token, ObjectMapper json) {
        this.verification = verification;
        this.rowCounts = rowCounts;
        this.token = token;
        this.json = json;
    }

    /**
     * @param tables   the tables to verify, as SQL would name them; absent or empty: every table of the database
     * @param database the database to verify on both servers; absent: the source URL's
     */
    public record VerifyRequest(List<String> tables, String database) {
    }

    /** Answers 202 with the verification's first report; the body is optional. */
    @POST
    @Path("/verify")
    @Operation(summary = "Starts a row-by-row verification of the target against the source",
            description = "Its progress and report: GET /exodus/migration/verification.")
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = VerifyRequest.class)))
    @APIResponse(responseCode = "202", description = "Started: the verification's first report")
    @APIResponse(responseCode = "409", description = "A verification runs on this proxy, or no target is configured")
    public Uni<Response> verify(@HeaderParam("Authorization") String authorization, String body) {
        return started(authorization, body, "{\"tables\": [\"public.accounts\"]} (or empty for every table)",
                request -> {
                    if (request.tables() != null && request.tables().stream().anyMatch(t -> t == null || t.isBlank())) {
                        throw new VerificationRefused(VerificationRefused.Reason.UNKNOWN_TABLE,
                                "\"tables\" must hold table names, not empty strings or nulls");
                    }
                    return verification.start(request.tables(), request.database());
                });
    }

    /**
     * Counts the rows of every table now (they are counted every {@code exodus.verify.count-interval} anyway);
     * answers 202 with the round's first report. Optional body: {@code {"database": "…"}}.
     */
    @POST
    @Path("/row-counts")
    @Operation(summary = "Counts the rows of every table on both databases now")
    public Uni<Response> countRows(@HeaderParam("Authorization") String authorization, String body) {
        return started(authorization, body, "{\"database\": \"shop\"} (or empty)",
                request -> rowCounts.countNow(request.database()));
    }

    /** What both POSTs share: the token, the optional body, 202 with the first report or the refusal. */
    private Uni<Response> started(String authorization, String body, String example,
            Function<VerifyRequest, Future<?>> start) {
        Optional<Response> refused = token.refuseChange(authorization);
        if (refused.isPresent()) {
            return Uni.createFrom().item(refused.get());
        }
        VerifyRequest request;
        try {
            request = body == null || body.isBlank() ? new VerifyRequest(List.of(), null)
                    : json.readValue(body, VerifyRequest.class);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST,
                    "the body must be JSON like " + example + ": " + e.getOriginalMessage()));
        }
        Future<?> starting;
        try {
            starting = start.apply(request);
        } catch (VerificationRefused refusal) {
            return Uni.createFrom().item(refused(refusal));
        }
        return Uni.createFrom().completionStage(starting.toCompletionStage())
                .map(report -> Response.status(Response.Status.ACCEPTED).entity(report).build())
                .onFailure(VerificationRefused.class).recoverWithItem(VerificationResource::refused);
    }

    @GET
    @Path("/row-counts")
    @Operation(summary = "The last row counts of every table on both databases")
    public Response rowCounts(@HeaderParam("Authorization") String authorization) {
        Optional<Response> refused = token.refuseRead(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        return rowCounts.latest().map(report -> Response.ok(report).build())
                .orElseGet(() -> Problem.response(Response.Status.NOT_FOUND, "no rows counted on this proxy yet: "
                        + "they are counted every exodus.verify.count-interval in phases dual-write and canary, or now "
                        + "with POST /exodus/migration/row-counts"));
    }

    /** A refusal as the admin API answers it; the repair's too. */
    static Response refused(Throwable failure) {
        VerificationRefused refusal = (VerificationRefused) failure;
        return Problem.response(switch (refusal.reason()) {
            case BUSY, NO_TARGET, NO_REPORT -> Response.Status.CONFLICT;
            case UNKNOWN_TABLE -> Response.Status.BAD_REQUEST;
            case UNREACHABLE -> Response.Status.BAD_GATEWAY;
        }, refusal.getMessage());
    }

    @GET
    @Path("/verification")
    @Operation(summary = "The last verification's report, while it runs too")
    @APIResponse(responseCode = "404", description = "No verification has run on this proxy")
    public Response report(@HeaderParam("Authorization") String authorization) {
        Optional<Response> refused = token.refuseRead(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        return verification.latest().map(report -> Response.ok(report).build())
                .orElseGet(() -> Problem.response(Response.Status.NOT_FOUND,
                        "no verification has run on this proxy yet: start one with POST /exodus/migration/verify"));
    }
}
