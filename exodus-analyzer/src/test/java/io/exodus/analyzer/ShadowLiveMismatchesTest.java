package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.ShadowMismatchEvent;
import io.exodus.capture.SqlNormalizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The proxies' live shadow mismatches, shipped with capture, are shadow findings of origin {@code live} in
 * {@code GET /analyzer/shadow} (before any replay too), in the report's shadow section, and pin their statements to
 * the source; a mismatch whose text is not normalised is refused, so that no literal is stored.
 */
@QuarkusTest
@QuarkusTestResource(value = ShadowLiveMismatchesTest.OwnApplication.class, restrictToAnnotatedClass = true)
class ShadowLiveMismatchesTest {
    static final String READ = "SELECT qty FROM live_items WHERE id = $1";
    static final String MISSING = "SELECT count(*) FROM only_on_source";

    @Test
    void liveMismatchesAreFindingsOfOriginLiveBesideTheReplaysAndPinTheirStatements() {
        Instant at = Instant.parse("2026-12-06T19:00:00Z");
        List<ShadowMismatchEvent> mismatches = List.of(
                new ShadowMismatchEvent(at, READ, SqlNormalizer.fingerprint(READ), "rows", 1L, 1L, null, null),
                new ShadowMismatchEvent(at.plusSeconds(5), READ, SqlNormalizer.fingerprint(READ), "rows", 1L, 1L,
                        null, null),
                new ShadowMismatchEvent(at, MISSING, SqlNormalizer.fingerprint(MISSING), "error", 1L, 0L, null,
                        "42P01"));
        given().contentType(ContentType.JSON).body(new CaptureBatch("proxy-live", 0L, List.of(), mismatches))
                .post("/analyzer/capture").then().statusCode(202);

        JsonPath shadow = given().get("/analyzer/shadow").then().statusCode(200).extract().jsonPath();
        Map<String, Object> rows = shadow.getMap("findings.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(READ) + "' }");
        assertEquals("live", rows.get("origin"), shadow.prettify());
        assertEquals("result", rows.get("kind"));
        assertEquals(READ, rows.get("query"));
        assertTrue(((String) rows.get("evidence")).startsWith("2 live shadow reads (as many rows, not the same ones)"),
                rows.toString());
        assertTrue(((String) rows.get("evidence")).contains("proxy-live"), rows.toString());
        Map<String, Object> error = shadow.getMap("findings.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(MISSING) + "' }");
        assertEquals("error", error.get("kind"));
        assertEquals("ERROR 42P01", error.get("target"));
        assertEquals("1 rows", error.get("source"));

        given().get("/analyzer/report").then().statusCode(200)
                .body(containsString("live shadow reads"), containsString("live_items"));
        JsonPath recommendations = given().get("/analyzer/recommendations").then().statusCode(200).extract()
                .jsonPath();
        assertEquals("shadow-error", recommendations.getString("pinnedStatements.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(MISSING) + "' }.finding"), recommendations.prettify());
    }

    /**
     * An application of this class's own: live mismatches are kept in memory, and the pins they make must not reach
     * the tests that expect none ({@link ChecksOnSeededMigrationTest}).
     */
    public static class OwnApplication implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("quarkus.http.test-port", "0");
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void aMismatchWhoseTextHoldsALiteralIsRefused() {
        String raw = "SELECT qty FROM live_items WHERE id = 7";
        given().contentType(ContentType.JSON).body(new CaptureBatch("proxy-live", 0L, List.of(), List.of(
                new ShadowMismatchEvent(Instant.now(), raw, SqlNormalizer.fingerprint(raw), "rows", 1L, 1L, null,
                        null)))).post("/analyzer/capture").then().statusCode(400)
                .body(containsString("shadowMismatches[0]"));
    }
}
