package io.exodus.proxy.api;

import io.exodus.proxy.consistency.ConsistencyPolicy;
import io.exodus.proxy.routing.MigrationState;
import io.exodus.proxy.session.DualWriteProfile;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The admin API: status for anyone with the token, policy changes only with it. */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class MigrationResourceTest {

    @Inject
    MigrationState migration;

    @AfterEach
    void backToDefault() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    @Test
    void statusNeedsTheTokenAndShowsPhaseAndPolicy() {
        given().get("/exodus/migration").then().statusCode(401);
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                .statusCode(200).body("phase", equalTo("dual-write")).body("policy", equalTo("both-required"));
    }

    @Test
    void policyChangesWithTheTokenOnly() {
        given().contentType("application/json").body("{\"policy\":\"best-effort\"}")
                .put("/exodus/migration/policy").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType("application/json")
                .body("{\"policy\":\"best-effort\"}").put("/exodus/migration/policy").then().statusCode(401);
        assertEquals(ConsistencyPolicy.BOTH_REQUIRED, migration.policy());

        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"policy\":\"best-effort\"}").put("/exodus/migration/policy").then().statusCode(200);
        assertEquals(ConsistencyPolicy.BEST_EFFORT, migration.policy());
    }

    @Test
    void switchingToTwoPhaseCommitChecksTheServersFirst() {
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"policy\":\"two-phase-commit\"}").put("/exodus/migration/policy").then().statusCode(200)
                .body("policy", equalTo("two-phase-commit"));
        assertEquals(ConsistencyPolicy.TWO_PHASE_COMMIT, migration.policy());
    }

    @Test
    void anUnknownPolicyIsABadRequestThatNamesTheChoices() {
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"policy\":\"yolo\"}").put("/exodus/migration/policy").then().statusCode(400)
                .body("error", containsString("two-phase-commit"));
    }
}
