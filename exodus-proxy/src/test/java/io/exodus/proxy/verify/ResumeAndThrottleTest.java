package io.exodus.proxy.verify;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cap on the databases' time ({@code exodus.verify.max-database-share}) and the durable progress: a throttled
 * verification pauses between its queries, and one whose sessions are killed mid-table is continued by the next
 * verification of the same tables from its last finished range, with what it had found.
 */
@QuarkusTest
@TestProfile(ThrottledProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class ResumeAndThrottleTest {
    private static final String DATABASE = "verify_resume";
    private static VerifiedDatabase database;
    private static final String BODY = "{\"database\": \"" + DATABASE + "\", \"tables\": [\"ranges\"]}";

    @BeforeAll
    static void createTables() throws SQLException {
        database = VerifiedDatabase.createdAfresh(DATABASE);
        database.onBoth("create table ranges (id int primary key, v text)",
                "insert into ranges select g, 'value ' || g from generate_series(1, 20000) g",
                "create table small (id int primary key)", "insert into small select generate_series(1, 100)");
        // One difference in the first segment, found before the interruption; one in the last, found after.
        run(target(), "update ranges set v = 'early' where id = 10");
        run(target(), "update ranges set v = 'late' where id = 19990");
    }

    @Test
    void aThrottledVerificationPausesBetweenItsQueries() throws Exception {
        JsonPath report = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"small\"]}");
        assertEquals("done", report.getString("state"), report.prettify());
        assertTrue(report.getBoolean("identical"), report.prettify());
        assertTrue(report.getLong("pauses") > 0, report.prettify());
        assertTrue(report.getLong("pausedMillis") > 0, report.prettify());
    }

    @Test
    void aVerificationInterruptedMidTableIsContinuedFromItsLastFinishedRange() throws Exception {
        given().header("Authorization", VerificationApi.BEARER).body(BODY).post("/exodus/migration/verify").then()
                .statusCode(202);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            JsonPath report = given().header("Authorization", VerificationApi.BEARER)
                    .get("/exodus/migration/verification").then().statusCode(200).extract().jsonPath();
            assertEquals("running", report.getString("state"), "finished before it could be interrupted: "
                    + report.prettify());
            if (report.getLong("tables[0].rowsChecked") >= 6000) {
                break;
            }
            if (System.nanoTime() > deadline) {
                fail("the verification did not get past 6,000 rows within 120 s: " + report.prettify());
            }
            Thread.sleep(20);
        }
        // What a restart of the proxy, or a database failing over, does to the verification's sessions.
        for (ConnectionTarget server : List.of(database.source(), database.target())) {
            run(server, "select pg_terminate_backend(pid) from pg_stat_activity where application_name = "
                    + "'exodus-verify' and datname = '" + DATABASE + "'");
        }
        JsonPath interrupted = waitUntilDone();
        assertEquals("failed", interrupted.getString("state"), interrupted.prettify());
        String savedBelow = VerifiedDatabase.value(database.source(), "select resume_from[1] from exodus.verification_progress p join "
                + "exodus.verification_runs r using (run_id) where r.finished_at is null and p.state = 'running'");
        assertNotNull(savedBelow, "the finished ranges were kept on the source");
        assertTrue(Integer.parseInt(savedBelow) > 5000, savedBelow);

        JsonPath resumed = VerificationApi.verify(BODY);
        assertEquals("done", resumed.getString("state"), resumed.prettify());
        assertEquals(true, resumed.getBoolean("tables[0].resumed"), resumed.prettify());
        assertEquals(List.of(savedBelow), resumed.getList("tables[0].resumedFrom"));
        assertEquals(20_000L, resumed.getLong("tables[0].rowsChecked"), resumed.prettify());
        assertEquals(20_000L, resumed.getLong("tables[0].sourceRows"));
        assertEquals(2, resumed.getLong("tables[0].different"));
        assertEquals(Set.of(Map.of("kind", "different", "key", Map.of("id", "10")),
                Map.of("kind", "different", "key", Map.of("id", "19990"))),
                Set.copyOf(resumed.getList("tables[0].examples")), resumed.prettify());

        // That one went through its tables: the next starts anew.
        JsonPath fresh = VerificationApi.verify(BODY);
        assertNull(fresh.get("tables[0].resumed"), fresh.prettify());
        assertEquals(2, fresh.getLong("tables[0].different"), fresh.prettify());
    }

    private static JsonPath waitUntilDone() throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonPath report = given().header("Authorization", VerificationApi.BEARER)
                    .get("/exodus/migration/verification").then().statusCode(200).extract().jsonPath();
            if (!"running".equals(report.getString("state"))) {
                return report;
            }
            Thread.sleep(100);
        }
        fail("the interrupted verification did not end within 120 s");
        return null;
    }

    private static void run(ConnectionTarget on, String sql) throws SQLException {
        VerifiedDatabase.run(on, sql);
    }

    private static ConnectionTarget target() {
        return database.target();
    }
}
