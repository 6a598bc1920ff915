package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.exodus.capture.Protocol;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.exodus.testsupport.HeadlessChromium;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Captured traffic replayed on a target that differs from its source in collation, an index and a cast
 * ({@link ShadowMigration}): each difference is found once, the source's own noise is not, identical answers are the
 * same, and writes never run.
 */
@QuarkusTest
@QuarkusTestResource(value = ShadowMigration.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShadowReplayTest {
    static final String COLLATED = "SELECT word FROM words ORDER BY word";
    static final String CAST = "SELECT id, length(id) AS digits FROM words ORDER BY id";
    /** any_value() came with PostgreSQL 16: the newer target answers, the source cannot. */
    static final String NEWER_FUNCTION = "SELECT any_value(word) IS NOT NULL AS found FROM words";
    static final String VOLATILE = "SELECT id, now() AS seen, random() AS draw FROM words ORDER BY id";
    static final String BY_ID = "SELECT id, word FROM words WHERE id = $1";
    static final String FLOAT_AGGREGATE = "SELECT sum(value) AS total, avg(value) AS mean FROM readings";
    static final String BY_OWNER = "SELECT count(*) AS accounts, sum(balance) AS total FROM accounts WHERE owner = $1";
    static final String WRITE = "UPDATE words SET word = upper(word) WHERE id = $1";
    static final String LITERAL = "SELECT word FROM words WHERE id = 3";
    /** abs() of an untyped literal is ambiguous (42725); of the bigint the client declared, it answers. */
    static final String DECLARED_TYPE = "SELECT abs($1) AS magnitude";
    static final long INT8 = 20;
    /** Captured, but not among the fingerprints the replay asks for. */
    static final String NOT_ASKED_FOR = "SELECT count(*) FROM readings";
    static final List<String> ASKED_FOR = List.of(COLLATED, CAST, NEWER_FUNCTION, VOLATILE, BY_ID, FLOAT_AGGREGATE,
            BY_OWNER, WRITE, LITERAL, DECLARED_TYPE);

    @TestHTTPResource("/analyzer/report")
    URL report;

    private JsonPath replay;

    /** Captures the traffic and replays it once for the whole class (REST Assured knows its port only in tests). */
    private JsonPath replay() throws Exception {
        if (replay == null) {
            replay = captureAndReplay();
        }
        return replay;
    }

    private static JsonPath captureAndReplay() throws Exception {
        Instant now = Instant.now();
        List<StatementEvent> events = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            Instant at = now.plusMillis(i);
            for (String simple : List.of(COLLATED, CAST, NEWER_FUNCTION, VOLATILE, FLOAT_AGGREGATE)) {
                events.add(StatementEvent.of(at, i, Protocol.SIMPLE, StatementClass.READ, simple, 100));
            }
            events.add(ShadowMigration.extended(at, i, StatementClass.READ, BY_ID, String.valueOf(1 + i % 5)));
            events.add(ShadowMigration.extended(at, i, StatementClass.READ, BY_OWNER, String.valueOf(i)));
            events.add(ShadowMigration.extended(at, i, StatementClass.WRITE, WRITE, String.valueOf(1 + i % 5)));
            events.add(StatementEvent.of(at, i, Protocol.SIMPLE, StatementClass.READ, LITERAL, 100));
            events.add(ShadowMigration.extended(at, i, StatementClass.READ, DECLARED_TYPE, String.valueOf(-i), INT8));
            events.add(StatementEvent.of(at, i, Protocol.SIMPLE, StatementClass.READ, NOT_ASKED_FOR, 100));
        }
        JsonPath report = ShadowMigration.captureAndReplay(events, Map.of("since", now.minusSeconds(1).toString(),
                "fingerprints", ASKED_FOR.stream().map(SqlNormalizer::fingerprint).toList(), "writes", "skip"));
        // Beside the screenshot, for a person to read what the replay found.
        Files.writeString(Path.of("target", "shadow-replay.json"), report.prettify());
        return report;
    }

    @Test
    void anOrderByOverTextSortedByAnotherCollationIsACollationFindingNamingBothCollations() throws Exception {
        assertEquals("different", statement(COLLATED).get("verdict"));
        Map<String, Object> finding = finding(COLLATED, "collation");
        assertTrue(String.valueOf(finding.get("source")).startsWith("word collates by database default, libc C; "
                + "row 1 of 5 is ('Banana')"), finding.toString());
        assertTrue(String.valueOf(finding.get("target")).startsWith("word collates by database default, ICU en-US; "
                + "row 1 of 5 is ('apple')"), finding.toString());
    }

    @Test
    void aCastOnlyTheSourceHasIsAnErrorOnTheTargetOnlyWithItsSqlstate() throws Exception {
        assertEquals("error", statement(CAST).get("verdict"));
        Map<String, Object> finding = finding(CAST, "error");
        assertTrue(String.valueOf(finding.get("source")).startsWith("5 rows"), finding.toString());
        assertTrue(String.valueOf(finding.get("target")).startsWith("ERROR 42883: function length(integer) does "
                + "not exist"), finding.toString());
    }

    @Test
    void aFunctionOnlyTheNewerTargetHasIsAnErrorOnTheSourceOnly() throws Exception {
        assertEquals("error", statement(NEWER_FUNCTION).get("verdict"));
        Map<String, Object> finding = finding(NEWER_FUNCTION, "error");
        assertTrue(String.valueOf(finding.get("source")).startsWith("ERROR 42883: function any_value(text) does not "
                + "exist"), finding.toString());
        assertTrue(String.valueOf(finding.get("target")).startsWith("1 row"), finding.toString());
        assertTrue(String.valueOf(finding.get("evidence")).startsWith("an error on the source only"),
                finding.toString());
    }

    @Test
    void clockAndRandomColumnsAreMaskedAsNoiseNotReported() throws Exception {
        Map<String, Object> statement = statement(VOLATILE);
        assertEquals("same", answersVerdict(VOLATILE), statement.toString());
        assertEquals(List.of("seen", "draw"), statement.get("maskedColumns"));
        assertEquals(List.of(), answerFindings(VOLATILE));
    }

    @Test
    void identicalDataAnswersTheSameWithoutAFinding() throws Exception {
        for (String same : List.of(BY_ID, FLOAT_AGGREGATE)) {
            Map<String, Object> statement = statement(same);
            assertEquals("same", answersVerdict(same), statement.toString());
            assertEquals(10, statement.get("replayed"));
            assertEquals(List.of(), statement.get("maskedColumns"));
            assertEquals(List.of(), answerFindings(same), same);
        }
    }

    @Test
    void anIndexMissingOnTheTargetIsAPlanAndALatencyRegressionWithBothPlans() throws Exception {
        assertEquals("regressed", statement(BY_OWNER).get("verdict"));
        Map<String, Object> plan = finding(BY_OWNER, "plan");
        assertTrue(String.valueOf(plan.get("source")).contains("using accounts_owner"), plan.toString());
        assertFalse(String.valueOf(plan.get("target")).contains("accounts_owner"), plan.toString());
        assertTrue(String.valueOf(plan.get("target")).contains("Seq Scan on accounts"), plan.toString());
        // exodus.analyzer.shadow.explain-analyze is on in ShadowMigration: both trees show what each node did.
        assertTrue(String.valueOf(plan.get("source")).contains("(actual time="), plan.toString());
        assertTrue(String.valueOf(plan.get("target")).contains("(actual time="), plan.toString());
        assertTrue(String.valueOf(plan.get("evidence")).contains(" ms (EXPLAIN ANALYZE)"), plan.toString());
        Map<String, Object> latency = finding(BY_OWNER, "latency");
        assertTrue(String.valueOf(latency.get("evidence")).startsWith("the target was over 1.5× slower than both source runs around it in"), latency.toString());
        assertEquals(10, ((Map<?, ?>) statement(BY_OWNER).get("source")).get("samples"));
        assertEquals(10, ((Map<?, ?>) statement(BY_OWNER).get("baseline")).get("samples"));
    }

    @Test
    void aValueReplaysAsTheTypeTheClientDeclaredForIt() throws Exception {
        Map<String, Object> statement = statement(DECLARED_TYPE);
        assertEquals("same", answersVerdict(DECLARED_TYPE), statement.toString());
        // Timed only when every run answered rows: abs('-1') without its type fails with 42725 on both sides.
        assertEquals(10, ((Map<?, ?>) statement.get("source")).get("samples"), statement.toString());
    }

    @Test
    void writesAreNeverRunAndStatementsWithoutTheirValuesAreNotReplayed() throws Exception {
        assertEquals("not-comparable", statement(WRITE).get("verdict"));
        assertTrue(String.valueOf(statement(WRITE).get("reason")).startsWith("writes are skipped"));
        try (Connection connection = ShadowMigration.database(ShadowMigration.target()).openJdbc();
                Statement sql = connection.createStatement();
                ResultSet words = sql.executeQuery("SELECT count(*) FROM words WHERE word = upper(word)")) {
            words.next();
            assertEquals(0, words.getInt(1), "no word was upper-cased on the target");
        }
        assertEquals("not-comparable", statement(LITERAL).get("verdict"));
        assertTrue(String.valueOf(statement(LITERAL).get("reason")).startsWith("not replayable: its values were "
                + "not captured"), statement(LITERAL).toString());
    }

    @Test
    void statementsTheTargetAnswersOtherwiseArePinnedToTheSourceSlowerOnesAreNot() throws Exception {
        replay();
        JsonPath recommendations = given().get("/analyzer/recommendations").then().statusCode(200).extract()
                .jsonPath();
        assertEquals("shadow-collation", pinned(recommendations, COLLATED));
        assertEquals("shadow-error", pinned(recommendations, CAST));
        assertEquals(null, pinned(recommendations, BY_OWNER));
    }

    @Test
    void onlyTheFingerprintsAskedForAreReplayed() throws Exception {
        assertEquals(ASKED_FOR.size(), replay().getList("statements").size());
        Object notAskedFor = replay().get("statements.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(NOT_ASKED_FOR) + "' }");
        assertNull(notAskedFor);
    }

    @Test
    void aMalformedRequestIsRefusedSayingWhy() throws Exception {
        given().contentType(ContentType.JSON).body("{\"since\": \"yesterday\"}").post("/analyzer/shadow").then()
                .statusCode(400).contentType(ContentType.JSON).body("error", equalTo("malformed-request"));
        given().contentType(ContentType.JSON).body(Map.of("writes", "sometimes")).post("/analyzer/shadow").then()
                .statusCode(400).contentType(ContentType.JSON).body("error", equalTo("malformed-request"))
                .body("message", containsString("writes must be skip or rollback"));
    }

    @Test
    void theReportShowsTheFindingsAndRendersWithoutABrowserError() throws Exception {
        replay();
        String html = given().get("/analyzer/report").then().statusCode(200).extract().asString();
        assertTrue(html.indexOf("id=\"recommendations\"") < html.indexOf("id=\"shadow\"")
                && html.indexOf("id=\"shadow\"") < html.indexOf("id=\"workload\""), "after the recommendations");
        assertTrue(html.contains("badge shadow-collation") && html.contains("badge shadow-plan"), "findings shown");
        boolean inCi = "true".equalsIgnoreCase(System.getenv("CI"));
        Assumptions.assumeTrue(inCi || HeadlessChromium.locate().isPresent(),
                "chromium is not installed (apt-get install chromium); CI installs it and runs this test");
        Path screenshot = Path.of("target", "shadow-report.png");
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            HeadlessChromium.LoadedPage page = browser.load(report.toString(), screenshot);
            assertEquals(List.of(), page.errors(), "the browser's error reports");
            assertTrue(Files.size(screenshot) > 10_000, "a screenshot at " + screenshot.toAbsolutePath());
        }
    }

    private Map<String, Object> statement(String sql) throws Exception {
        Map<String, Object> statement = replay().getMap("statements.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(sql) + "' }");
        assertNotNull(statement, sql + " in " + replay().prettify());
        return statement;
    }

    private String answersVerdict(String sql) throws Exception {
        return ShadowMigration.answersVerdict(replay(), SqlNormalizer.fingerprint(sql));
    }

    private List<Object> answerFindings(String sql) throws Exception {
        return ShadowMigration.answerFindings(replay(), SqlNormalizer.fingerprint(sql));
    }

    private Map<String, Object> finding(String sql, String kind) throws Exception {
        Map<String, Object> finding = replay().getMap("findings.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(sql) + "' && it.kind == '" + kind + "' }");
        assertNotNull(finding, kind + " finding for " + sql + " in " + replay().prettify());
        return finding;
    }

    private static String pinned(JsonPath recommendations, String sql) {
        return recommendations.getString("pinnedStatements.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(sql) + "' }.finding");
    }
}
