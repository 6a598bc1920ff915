package io.exodus.analyzer.api;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.recommend.Recommendations;
import io.exodus.analyzer.report.ReportPage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the analyzer found: each request reads the source, the target and the captured traffic anew (a few hundred
 * milliseconds of catalog queries), so answers are never stale.
 */
@Path("/analyzer")
@Tag(name = "analysis", description = "Profile, checks, recommendations and the report")
@APIResponse(responseCode = "503", description = "No source configured, or a database cannot be reached",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
public class AnalyzerResource {
    private final AnalysisService analysis;

    AnalyzerResource(AnalysisService analysis) {
        this.analysis = analysis;
    }

    /** @param checks every check, passing ones included, in a fixed order */
    public record ChecksResponse(List<CheckResult> checks) {
    }

    @GET
    @Path("/profile")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The source's and the target's catalogs and the captured workload")
    public CompletionStage<MigrationProfile> profile() {
        return analysis.analyse().thenApply(Analysis::profile);
    }

    @GET
    @Path("/checks")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Readiness checks with verdicts (pass, warning, action-required, blocker)")
    public CompletionStage<ChecksResponse> checks() {
        return analysis.analyse().thenApply(result -> new ChecksResponse(result.checks()));
    }

    @GET
    @Path("/recommendations")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Target settings and size, strategy, policy, pinned statements and cutover blockers")
    public CompletionStage<Recommendations> recommendations() {
        return analysis.analyse().thenApply(Analysis::recommendations);
    }

    @GET
    @Path("/report")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The report a person reads before a migration: verdicts, recommendations, profile")
    public CompletionStage<String> report() {
        return analysis.analyse().thenApply(result -> ReportPage.render(result.profile(), result.checks(),
                result.recommendations(), result.shadow()));
    }
}
