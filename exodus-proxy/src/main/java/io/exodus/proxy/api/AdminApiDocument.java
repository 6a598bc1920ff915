package io.exodus.proxy.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * What the admin API's OpenAPI document ({@code /q/openapi}) says of the API as a whole: every operation takes the
 * bearer token. Reads also answer without one while no token is configured; changes never do. SmallRye OpenAPI reads
 * these annotations from the JAX-RS application class only; without overriding its methods, every resource stays in.
 */
@OpenAPIDefinition(info = @Info(title = "Exodus proxy admin API", version = "1", description = "The migration's state "
        + "and the changes an operator makes to it: phase, policy, canary share, initial sync, verification. The exodus "
        + "command (docs/cli.md) speaks this API."),
        security = @SecurityRequirement(name = AdminApiDocument.BEARER))
@SecurityScheme(securitySchemeName = AdminApiDocument.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The proxy's exodus.admin.token (EXODUS_ADMIN_TOKEN). Without one configured, changes answer 403"
                + " and reads are open; with one, both need it (401 otherwise).")
public class AdminApiDocument extends Application {
    static final String BEARER = "admin-token";
}
