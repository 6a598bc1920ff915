package io.exodus.analyzer.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.analyzer.capture.CaptureDecoder;
import io.exodus.analyzer.capture.CaptureWriter;
import io.exodus.analyzer.capture.DecodedBatch;
import io.exodus.analyzer.config.AnalyzerConfig;
import io.exodus.analyzer.shadow.LiveMismatches;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.concurrent.CompletionStage;

/** Where proxies ship captured statements (exodus.capture.analyzer-url points here). */
@Path("/analyzer/capture")
@Tag(name = "capture", description = "Captured statements from the proxies")
public class CaptureResource {
    private final CaptureDecoder decoder;
    private final CaptureWriter writer;
    private final LiveMismatches live;

    CaptureResource(ObjectMapper json, AnalyzerConfig config, CaptureWriter writer, LiveMismatches live) {
        this.decoder = new CaptureDecoder(json, config.capture().maxBatchBytes().asLongValue(),
                config.capture().maxBatchEvents());
        this.writer = writer;
        this.live = live;
    }

    /** @param accepted events stored */
    public record Accepted(int accepted) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    // Decompression and JSON parsing of up to max-batch-bytes is work for a worker thread, not the event loop.
    @Blocking
    @Operation(summary = "Store a batch of statement events (JSON, optionally Content-Encoding: gzip)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = io.exodus.capture.CaptureBatch.class)))
    @APIResponse(responseCode = "202", description = "Stored",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "Not the documented format; the message says what is wrong",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "413", description = "More bytes or events than the analyzer accepts at once",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public CompletionStage<Response> capture(byte[] body, @HeaderParam(HttpHeaders.CONTENT_ENCODING) String encoding) {
        DecodedBatch decoded = decoder.decode(body, encoding);
        return writer.write(decoded).map(stored -> {
            // The live shadow mismatches the batch brings: shadow findings of origin live (GET /analyzer/shadow).
            live.record(decoded.batch().proxyId(), decoded.batch().shadowMismatches());
            return Response.accepted(new Accepted(stored)).type(MediaType.APPLICATION_JSON_TYPE).build();
        }).toCompletionStage();
    }
}
