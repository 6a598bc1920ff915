package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A replay paced as captured lasts as long as the captured window, and its load guard pauses it while the source
 * answers slowly (a relay in front of it holds every request back) and lets it finish once the source is fast again.
 */
@QuarkusTest
@QuarkusTestResource(value = ShadowMigration.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = SlowableSource.class, restrictToAnnotatedClass = true)
class ShadowPaceAndLoadGuardTest {
    private static final String BY_ID = "SELECT word, id FROM words WHERE id = $1";
    private static final Duration CAPTURED_WINDOW = Duration.ofSeconds(6);
    private static final long SLOW_MILLIS = 100;

    @Test
    void aPacedReplayTakesTheCapturedWindowAndPausesWhileTheSourceIsSlow() throws Exception {
        Instant first = Instant.now().minus(Duration.ofMinutes(1));
        List<StatementEvent> events = new ArrayList<>();
        long gap = CAPTURED_WINDOW.toMillis() / (SlowableSource.EXECUTIONS - 1);
        for (int i = 0; i < SlowableSource.EXECUTIONS; i++) {
            events.add(ShadowMigration.extended(first.plusMillis(i * gap), i, StatementClass.READ, BY_ID,
                    String.valueOf(1 + i % 5)));
        }
        given().contentType(ContentType.JSON).body(new CaptureBatch("pace-test", 0L, events))
                .post("/analyzer/capture").then().statusCode(202);
        given().contentType(ContentType.JSON).body(Map.of("since", first.minusSeconds(1).toString(),
                "fingerprints", List.of(SqlNormalizer.fingerprint(BY_ID)), "pace", "captured"))
                .post("/analyzer/shadow").then().statusCode(202).body("state", equalTo("running"));

        // Once the guard has its baseline (the replay is under way), the source slows down until the guard pauses.
        JsonPath running = awaitReport(report -> report.get("loadGuard") != null
                && report.getInt("loadGuard.probes") > 2 * 5, "the guard's baseline");
        assertTrue(running.getLong("loadGuard.baselineMicros.source") > 0, running.prettify());
        DelayingRelay relay = SlowableSource.relay();
        relay.delay(SLOW_MILLIS);
        JsonPath paused;
        try {
            paused = awaitReport(report -> report.getString("message").contains("paused by the load guard"),
                    "paused while every request to the source waits " + SLOW_MILLIS + " ms");
            Thread.sleep(500);
        } finally {
            relay.delay(0);
        }
        assertEquals(0, paused.getInt("loadGuard.limit"), paused.prettify());

        JsonPath done = awaitReport(report -> !report.getString("state").equals("running"), "the replay's end");
        assertEquals("done", done.getString("state"), done.prettify());
        Map<String, Object> statement = done.getMap("statements[0]");
        assertEquals("same", ShadowMigration.answersVerdict(done, (String) statement.get("fingerprint")),
                done.prettify());
        assertEquals(SlowableSource.EXECUTIONS, statement.get("replayed"));
        Duration took = Duration.between(OffsetDateTime.parse(done.getString("startedAt")),
                OffsetDateTime.parse(done.getString("finishedAt")));
        assertTrue(took.compareTo(CAPTURED_WINDOW) >= 0, "paced as captured: " + took + " for a window of "
                + CAPTURED_WINDOW);
        assertTrue(done.getLong("loadGuard.backoffs") >= 3, "4, 2, 1, 0: " + done.prettify());
        assertEquals(0, done.getInt("loadGuard.lowestLimit"));
        assertTrue(done.getLong("loadGuard.pausedMillis") >= 500, done.prettify());
        assertTrue(done.getString("message").contains("the load guard backed off"), done.getString("message"));
        System.out.printf("ShadowPaceAndLoadGuardTest: %s; load guard %s%n", done.getString("message"),
                done.getMap("loadGuard"));
    }

    private static JsonPath awaitReport(Predicate<JsonPath> condition, String what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        JsonPath report;
        do {
            report = given().get("/analyzer/shadow").then().statusCode(200).extract().jsonPath();
            if (condition.test(report)) {
                return report;
            }
            Thread.sleep(20);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("not within 60 s: " + what + "; last report " + report.prettify());
    }
}
