package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.Protocol;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.exodus.capture.TransactionBoundary;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * Batches posted as a proxy will post them, plain and gzip, read back through the workload profile; and the batches
 * the analyzer refuses, each with a JSON message that says why.
 */
@QuarkusTest
@QuarkusTestResource(SeededMigration.class)
class CaptureIngestionTest {

    @Inject
    ObjectMapper json;

    @Test
    void countsEveryCallOfEachFingerprintFromPlainAndGzipBatches() throws IOException {
        // A table name of its own, so that other tests' captured traffic cannot add calls to these fingerprints.
        String table = "t_" + UUID.randomUUID().toString().replace("-", "");
        String select = "SELECT balance FROM " + table + " WHERE id = ";
        String update = "UPDATE " + table + " SET balance = balance + $1 WHERE id = $2";
        List<StatementEvent> plain = new ArrayList<>();
        List<StatementEvent> compressed = new ArrayList<>();
        Instant start = Instant.parse("2025-03-01T12:00:00Z");
        for (int i = 0; i < 700; i++) {
            // Literal values differ on every call: the analyzer's normalisation groups them under one fingerprint.
            (i % 2 == 0 ? plain : compressed).add(event(start.plusMillis(i * 10L), i % 7, Protocol.SIMPLE,
                    StatementClass.READ, select + i, TransactionBoundary.AUTOCOMMIT));
        }
        for (int i = 0; i < 300; i++) {
            compressed.add(event(start.plusMillis(i * 20L), i % 5, Protocol.EXTENDED, StatementClass.WRITE, update,
                    TransactionBoundary.INSIDE));
        }
        given().contentType(ContentType.JSON).body(json.writeValueAsBytes(new CaptureBatch("proxy-a", 2L, plain)))
                .post("/analyzer/capture").then().statusCode(202).body("accepted", equalTo(350));
        given().contentType(ContentType.JSON).header("Content-Encoding", "gzip")
                .body(gzip(json.writeValueAsBytes(new CaptureBatch("proxy-a", 0L, compressed))))
                .post("/analyzer/capture").then().statusCode(202).body("accepted", equalTo(650));

        JsonPath workload = given().get("/analyzer/profile").then().statusCode(200).extract().jsonPath()
                .setRootPath("workload");
        assertEquals(700, calls(workload, SqlNormalizer.fingerprint(select + "1")));
        assertEquals(300, calls(workload, SqlNormalizer.fingerprint(update)));
        assertEquals("SELECT balance FROM " + table + " WHERE id = $1",
                workload.getString("topByCalls.find { it.fingerprint == '" + SqlNormalizer.fingerprint(select + "1")
                        + "' }.text"));
    }

    @Test
    void refusesMalformedJsonSayingWhere() {
        given().contentType(ContentType.JSON).body("{\"events\": [{\"at\": ").post("/analyzer/capture").then()
                .statusCode(400).contentType(ContentType.JSON).body("error", equalTo("malformed-batch"))
                .body("message", containsString("Not valid JSON"));
    }

    @Test
    void refusesAnEventWithoutASessionSayingWhichEvent() throws IOException {
        Map<String, Object> missingSession = Map.of("at", "2025-03-01T12:00:00Z", "protocol", "simple",
                "statementClass", "read", "text", "SELECT 1", "fingerprint", SqlNormalizer.fingerprint("SELECT 1"));
        Map<String, Object> good = Map.of("at", "2025-03-01T12:00:00Z", "sessionId", 1, "protocol", "simple",
                "statementClass", "read", "text", "SELECT 1", "fingerprint", SqlNormalizer.fingerprint("SELECT 1"));
        given().contentType(ContentType.JSON).body(json.writeValueAsBytes(Map.of("events", List.of(good,
                missingSession)))).post("/analyzer/capture").then().statusCode(400)
                .body("message", containsString("events[1]: sessionId is required"));
    }

    @Test
    void refusesAFingerprintItComputesDifferently() throws IOException {
        Map<String, Object> event = Map.of("at", "2025-03-01T12:00:00Z", "sessionId", 1, "protocol", "simple",
                "statementClass", "read", "text", "SELECT 1", "fingerprint", "0123456789abcdef");
        given().contentType(ContentType.JSON).body(json.writeValueAsBytes(Map.of("events", List.of(event))))
                .post("/analyzer/capture").then().statusCode(400)
                .body("message", containsString("events[0].fingerprint: '0123456789abcdef' is not the fingerprint"));
    }

    @Test
    void refusesABodyThatSaysGzipButIsNot() {
        given().contentType(ContentType.JSON).header("Content-Encoding", "gzip").body("{\"events\": []}")
                .post("/analyzer/capture").then().statusCode(400).body("message", containsString("not valid gzip"));
    }

    @Test
    void refusesMoreEventsThanOneBatchMayCarry() throws IOException {
        List<StatementEvent> events = new ArrayList<>();
        for (int i = 0; i < 10_001; i++) {
            events.add(StatementEvent.of(Instant.now(), 1, Protocol.SIMPLE, StatementClass.READ, "SELECT 1", 1));
        }
        given().contentType(ContentType.JSON).header("Content-Encoding", "gzip")
                .body(gzip(json.writeValueAsBytes(new CaptureBatch(null, null, events)))).post("/analyzer/capture")
                .then().statusCode(413).contentType(ContentType.JSON).body("error", equalTo("batch-too-large"))
                .body("message", containsString("10001 events; at most 10000"));
    }

    @Test
    void refusesABatchLargerThanTheLimitOnceDecompressed() throws IOException {
        // 17 MiB of blanks: valid JSON whitespace, tiny compressed, past the 16 MiB limit when decompressed.
        byte[] padded = new byte[17 * 1024 * 1024];
        java.util.Arrays.fill(padded, (byte) ' ');
        byte[] batch = "{\"events\": []}".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(batch, 0, padded, 0, batch.length);
        given().contentType(ContentType.JSON).header("Content-Encoding", "gzip").body(gzip(padded))
                .post("/analyzer/capture").then().statusCode(413).body("error", equalTo("batch-too-large"))
                .body("message", containsString("once decompressed"));
        given().contentType(ContentType.JSON).body(padded).post("/analyzer/capture").then().statusCode(413)
                .body("message", containsString("max-batch-bytes"));
    }

    private static long calls(JsonPath workload, String fingerprint) {
        return workload.getLong("topByCalls.find { it.fingerprint == '" + fingerprint + "' }.calls");
    }

    private static StatementEvent event(Instant at, long session, Protocol protocol, StatementClass statementClass,
            String sql, TransactionBoundary boundary) {
        StatementEvent normalized = StatementEvent.of(at, session, protocol, statementClass, sql, 100);
        // Raw text with its literal, as a proxy that does not normalise would send it; the fingerprint is the same.
        return new StatementEvent(at, session, boundary == TransactionBoundary.AUTOCOMMIT ? null : 1L, boundary,
                protocol, statementClass, sql, normalized.fingerprint(), protocol == Protocol.EXTENDED ? "" : null,
                null, 100L, 120L, 1L, null, null);
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(plain);
        }
        return out.toByteArray();
    }
}
