package io.exodus.analyzer.api;

import io.exodus.analyzer.capture.CaptureRejected;
import io.exodus.analyzer.profile.ProfileUnavailable;
import io.exodus.analyzer.shadow.ReplayRefused;
import io.vertx.pgclient.PgException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors of the REST API as {@link ApiError} JSON with the status that fits. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response rejected(CaptureRejected rejected) {
        LOG.warnf("Refused a capture batch (%d): %s", rejected.status(), rejected.getMessage());
        String error = rejected.status() == CaptureRejected.TOO_LARGE ? "batch-too-large" : "malformed-batch";
        return json(rejected.status(), new ApiError(error, rejected.getMessage()));
    }

    @ServerExceptionMapper
    public Response unavailable(ProfileUnavailable unavailable) {
        LOG.warn(unavailable.getMessage());
        return json(Response.Status.SERVICE_UNAVAILABLE.getStatusCode(),
                new ApiError("profile-unavailable", unavailable.getMessage()));
    }

    @ServerExceptionMapper
    public Response replayRefused(ReplayRefused refused) {
        LOG.warnf("Refused a shadow replay (%d): %s", refused.status(), refused.getMessage());
        return json(refused.status(), new ApiError(refused.error(), refused.getMessage()));
    }

    /** A database error the analyzer did not expect (the store refusing a write, say): still JSON, and logged. */
    @ServerExceptionMapper
    public Response database(PgException failure) {
        LOG.error("A database refused the analyzer's statement", failure);
        return json(Response.Status.INTERNAL_SERVER_ERROR.getStatusCode(), new ApiError("internal",
                "A database refused the analyzer's statement: " + failure.getMessage()));
    }

    static Response json(int status, ApiError error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(error).build();
    }
}
