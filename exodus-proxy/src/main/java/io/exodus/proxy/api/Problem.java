package io.exodus.proxy.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** An error of the admin API as JSON: {@code {"error": "what went wrong and what to do"}}. */
public record Problem(String error) {

    static Response response(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new Problem(message)).build();
    }
}
