package io.exodus.proxy.api;

import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.ReplicationSlot;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The admin API: status (replication lag included) for anyone with the token, policy changes only with it. */
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

    @Test
    void statusShowsTheLastReplicationLagReadingOfEachDatabase() throws Exception {
        String name = "exodus_status_slot";
        try (ReplicationSlot slot = ReplicationSlot.createLogical(TestDatabases.source(), name)) {
            // Read every exodus.metrics.replication-lag-interval (10 s by default).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Map<String, Object> reading = slotReading(slot.name());
            while (reading == null && System.nanoTime() < deadline) {
                Thread.sleep(500);
                reading = slotReading(slot.name());
            }
            assertNotNull(reading, "the slot never showed under replication.source");
            assertEquals("SLOT", reading.get("kind"));
            assertEquals(false, reading.get("active"));
            given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                    .body("replication.target", notNullValue());
        }
    }

    private static Map<String, Object> slotReading(String name) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                .statusCode(200).extract().path("replication.source.find { it.name == '" + name + "' }");
    }
}
