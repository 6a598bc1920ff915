package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.Protocol;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The acceptance of issue 19 on real servers: the seeded source and the target without hstore and without
 * two-phase commit get exactly the verdicts their seed calls for, and nothing else is flagged.
 */
@QuarkusTest
@QuarkusTestResource(SeededMigration.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChecksOnSeededMigrationTest {

    @Test
    @Order(1)
    void flagsExactlyWhatTheSeedPutThereEachWithItsVerdict() {
        JsonPath checks = given().get("/analyzer/checks").then().statusCode(200).extract().jsonPath();
        Map<String, String> verdicts = new LinkedHashMap<>();
        checks.getList("checks", Map.class).forEach(check -> verdicts.put((String) check.get("key"),
                (String) check.get("verdict")));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("wal-level", "pass");
        expected.put("max-prepared-transactions", "action-required");
        expected.put("no-primary-key", "action-required");
        expected.put("nondeterministic-default", "warning");
        expected.put("collation-library", "warning");
        expected.put("sequence-overflow", "action-required");
        expected.put("missing-extension", "action-required");
        expected.put("deferrable-constraint", "warning");
        expected.put("long-transactions", "pass");
        expected.put("replication-slot-retention", "pass");
        expected.put("prepared-transactions", "pass");
        expected.put("large-objects", "pass");
        expected.put("unlogged-tables", "pass");
        expected.put("nondeterministic-statements", "pass");
        expected.put("target-version", "pass");
        assertEquals(expected, verdicts, () -> "checks: " + checks.prettify());
    }

    @Test
    @Order(2)
    void namesWhatItFlaggedInTheEvidence() {
        Map<String, String> evidence = given().get("/analyzer/checks").then().statusCode(200).extract().jsonPath()
                .getList("checks", Map.class).stream().collect(Collectors.toMap(check -> (String) check.get("key"),
                        check -> (String) check.get("evidence")));
        assertContains(evidence.get("max-prepared-transactions"), "source: max_prepared_transactions = 20",
                "target: max_prepared_transactions = 0");
        assertContains(evidence.get("no-primary-key"), "2 tables", "public.audit_log", "public.pgbench_history");
        assertContains(evidence.get("nondeterministic-default"), "1 column", "public.coupons.discount DEFAULT random()");
        assertContains(evidence.get("collation-library"), "customers_name", "seeded_libc");
        assertContains(evidence.get("sequence-overflow"), "public.tickets_id_seq",
                SeededMigration.SEQUENCE_AT_90_PERCENT + " of 2147483647 (90 %)");
        assertContains(evidence.get("missing-extension"), "hstore");
        assertContains(evidence.get("deferrable-constraint"), "ledger_customer_id_fkey", "initially deferred");
    }

    @Test
    @Order(3)
    void profilesBothDatabasesFromTheirCatalogs() {
        JsonPath profile = given().get("/analyzer/profile").then().statusCode(200).extract().jsonPath();
        assertEquals("self-hosted", profile.getString("source.server.flavour"));
        assertEquals(SeededMigration.DATABASE, profile.getString("source.server.database"));
        assertEquals(List.of("aid"), profile.getList("source.tables.find { it.name == 'pgbench_accounts' }.primaryKey"));
        assertEquals(100_000L, profile.getLong("source.tables.find { it.name == 'pgbench_accounts' }.estimatedRows"));
        assertEquals("integer", profile.getString("source.sequences.find { it.name == 'tickets_id_seq' }.columnType"));
        assertEquals(0.9, profile.getDouble("source.sequences.find { it.name == 'tickets_id_seq' }.usedShare"), 1e-6);
        assertNotNull(profile.getString("source.extensions.find { it.name == 'hstore' }.version"));
        assertNull(profile.get("target.extensions.find { it.name == 'hstore' }"));
        assertEquals("0", profile.getString("target.settings.max_prepared_transactions.value"));
        assertEquals(List.of(), profile.getList("source.unreadable"), () -> profile.prettify());
    }

    @Test
    @Order(4)
    void recommendsBothRequiredAndListsTheCutoverBlockers() {
        JsonPath recommendations = given().get("/analyzer/recommendations").then().statusCode(200).extract()
                .jsonPath();
        assertEquals("both-required", recommendations.getString("policy.value"));
        assertTrue(recommendations.getList("policy.reasons", String.class)
                .contains("the target has max_prepared_transactions = 0"), recommendations.prettify());
        assertEquals(List.of("max-prepared-transactions", "no-primary-key", "sequence-overflow", "missing-extension"),
                recommendations.getList("cutoverBlockers.key"));
        assertEquals(List.of(), recommendations.getList("pinnedStatements"));
        assertTrue(recommendations.getList("settings.name").containsAll(List.of("max_connections", "shared_buffers",
                "effective_cache_size", "maintenance_work_mem", "work_mem", "random_page_cost", "max_wal_size")));
    }

    /** Last: it adds captured traffic that the checks above must not have seen. */
    @Test
    @Order(5)
    void aCapturedUpdateDrawingRandomValuesIsPinnedToTheSource() {
        String update = "UPDATE coupons SET discount = random() WHERE code = 'SPRING'";
        CaptureBatch batch = new CaptureBatch("checks-test", 0L, List.of(
                StatementEvent.of(Instant.now(), 1, Protocol.SIMPLE, StatementClass.WRITE, update, 300),
                StatementEvent.of(Instant.now(), 2, Protocol.SIMPLE, StatementClass.WRITE,
                        "INSERT INTO coupons (code) VALUES ('AUTUMN')", 200)));
        given().contentType(ContentType.JSON).body(batch).post("/analyzer/capture").then().statusCode(202);

        JsonPath recommendations = given().get("/analyzer/recommendations").then().statusCode(200).extract()
                .jsonPath();
        assertEquals(List.of(StatementEvent.of(Instant.now(), 1, Protocol.SIMPLE, StatementClass.WRITE, update, 0)
                .fingerprint()), recommendations.getList("pinnedStatements.fingerprint"),
                "the UPDATE is pinned, the plain INSERT (row images) is not: " + recommendations.prettify());
        assertEquals("nondeterministic", recommendations.getString("pinnedStatements[0].finding"));
        String verdict = given().get("/analyzer/checks").then().statusCode(200).extract().jsonPath()
                .getString("checks.find { it.key == 'nondeterministic-statements' }.verdict");
        assertEquals("warning", verdict);
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text != null && text.contains(part), () -> "'" + part + "' in: " + text);
        }
    }
}
