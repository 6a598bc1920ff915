package io.exodus.proxy.api;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;

/** {@code POST /exodus/migration/sync}: a change that needs the token, and starts from phase direct only. */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class SyncResourceTest {

    @Test
    void startingASyncNeedsTheToken() {
        given().contentType("application/json").body("{}").post("/exodus/migration/sync").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType("application/json").body("{}")
                .post("/exodus/migration/sync").then().statusCode(401);
    }

    @Test
    void aProxyInDualWriteStartsNoSyncAndTheStatusShowsNone() {
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"schemas\": [\"public\"]}").post("/exodus/migration/sync").then().statusCode(409)
                .body("error", containsString("phase direct"));
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                .statusCode(200).body("sync", nullValue());
    }
}
