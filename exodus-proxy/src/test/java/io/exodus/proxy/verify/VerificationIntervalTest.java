package io.exodus.proxy.verify;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code exodus.verify.interval}: with nobody asking, the proxy verifies the source URL's database in dual-write and
 * reports a row changed on the target behind Exodus' back.
 */
@QuarkusTest
@TestProfile(IntervalProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class VerificationIntervalTest {
    private static final String TABLE = "interval_drift";

    @Test
    void aRowChangedOnTheTargetIsReportedWithoutBeingAsked() throws Exception {
        // The source URL's database, the one verified on the interval.
        VerifiedDatabase database = new VerifiedDatabase("postgres");
        database.onBoth("drop table if exists " + TABLE, "create table " + TABLE + " (id int primary key, v text)",
                "insert into " + TABLE + " select g, 'value ' || g from generate_series(1, 2000) g");
        VerifiedDatabase.run(database.target(), "update " + TABLE + " set v = 'changed' where id = 1717");

        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            var response = given().header("Authorization", VerificationApi.BEARER)
                    .get("/exodus/migration/verification");
            if (response.statusCode() == 200) {
                JsonPath report = response.jsonPath();
                List<Map<String, Object>> tables = report.getList("tables.findAll { it.table == 'public." + TABLE
                        + "' && it.state == 'done' }");
                if (!tables.isEmpty() && ((Number) tables.get(0).get("different")).longValue() > 0) {
                    assertEquals(List.of(Map.of("kind", "different", "key", Map.of("id", "1717"))),
                            tables.get(0).get("examples"), report.prettify());
                    return;
                }
            } else {
                assertEquals(404, response.statusCode(), response.asString());
            }
            Thread.sleep(200);
        }
        fail("no verification on the interval reported the row changed on the target within 120 s");
    }
}
