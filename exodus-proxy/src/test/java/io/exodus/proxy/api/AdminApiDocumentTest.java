package io.exodus.proxy.api;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The admin API's OpenAPI document at /q/openapi: the paths the exodus CLI and scripts use, with the bearer token as
 * the security scheme. The same profile as {@link MigrationResourceTest}, so the suite starts no extra application.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class AdminApiDocumentTest {

    @Test
    void describesTheAdminApiPathsTheCliUses() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("info.title", equalTo("Exodus proxy admin API"))
                .body("paths.'/exodus/migration'.get.summary", notNullValue())
                .body("paths.'/exodus/migration/phase'.put", notNullValue())
                .body("paths.'/exodus/migration/policy'.put", notNullValue())
                .body("paths.'/exodus/migration/canary'.put", notNullValue())
                .body("paths.'/exodus/migration/sync'.post", notNullValue())
                .body("paths.'/exodus/migration/verify'.post", notNullValue())
                .body("paths.'/exodus/migration/verification'.get", notNullValue())
                .body("paths.'/exodus/migration/repair'.post", notNullValue())
                .body("paths.'/exodus/migration'.get.responses.'200'.content.'application/json'.schema", notNullValue());
    }

    @Test
    void namesTheBearerTokenAsTheSecurityScheme() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("components.securitySchemes.'admin-token'.type", equalTo("http"))
                .body("components.securitySchemes.'admin-token'.scheme", equalTo("bearer"))
                .body("security.'admin-token'", hasItem(notNullValue()));
    }
}
