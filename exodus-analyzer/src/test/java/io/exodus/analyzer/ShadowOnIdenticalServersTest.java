package io.exodus.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.exodus.capture.Protocol;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.exodus.capture.TransactionBoundary;
import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The other half of the acceptance: the statements {@link ShadowReplayTest} replays, on two servers that are
 * the same in version, collation, data, indexes and casts, make no finding at all. Volatile columns are masked, a
 * floating-point aggregate agrees within the tolerance, and the plans and latencies are alike.
 */
@QuarkusTest
@QuarkusTestResource(value = ShadowOnIdenticalServersTest.IdenticalServers.class, restrictToAnnotatedClass = true)
class ShadowOnIdenticalServersTest {
    static final List<String> REPLAYED = List.of(ShadowReplayTest.COLLATED, ShadowReplayTest.CAST,
            ShadowReplayTest.VOLATILE, ShadowReplayTest.FLOAT_AGGREGATE, ShadowReplayTest.BY_ID,
            ShadowReplayTest.BY_OWNER, ShadowReplayTest.DECLARED_TYPE, ShadowOnIdenticalServersTest.UNDER_SETTINGS);
    /** Replayed under its session's settings (docs/adr/0040): a time zone, a day-first DateStyle, a search_path. */
    static final String UNDER_SETTINGS = "SELECT id, word, CAST($1 AS timestamptz) AS at FROM words ORDER BY id";

    @Test
    void identicalServersMakeNoFindingAndEveryStatementAnswersTheSame() throws Exception {
        Instant now = Instant.now();
        List<StatementEvent> events = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            Instant at = now.plusMillis(i);
            for (String simple : List.of(ShadowReplayTest.COLLATED, ShadowReplayTest.CAST, ShadowReplayTest.VOLATILE,
                    ShadowReplayTest.FLOAT_AGGREGATE)) {
                events.add(StatementEvent.of(at, i, Protocol.SIMPLE, StatementClass.READ, simple, 100));
            }
            events.add(ShadowMigration.extended(at, i, StatementClass.READ, ShadowReplayTest.BY_ID,
                    String.valueOf(1 + i % 5)));
            events.add(ShadowMigration.extended(at, i, StatementClass.READ, ShadowReplayTest.BY_OWNER,
                    String.valueOf(i)));
            events.add(ShadowMigration.extended(at, i, StatementClass.READ, ShadowReplayTest.DECLARED_TYPE,
                    String.valueOf(-i), ShadowReplayTest.INT8));
            events.add(new StatementEvent(at, (long) i, null, TransactionBoundary.AUTOCOMMIT, Protocol.EXTENDED,
                    StatementClass.READ, UNDER_SETTINGS, SqlNormalizer.fingerprint(UNDER_SETTINGS), "",
                    List.of("0" + (1 + i % 9) + "/02/2026 10:00"), 100L, null, 5L, null, null, null,
                    Map.of("timezone", "Asia/Tokyo", "datestyle", "SQL, DMY", "search_path", "pg_catalog, public"),
                    null));
        }
        JsonPath report = ShadowMigration.captureAndReplay(events, Map.of("since", now.minusSeconds(1).toString(),
                "fingerprints", REPLAYED.stream().map(SqlNormalizer::fingerprint).toList()));

        for (String replayed : REPLAYED) {
            String fingerprint = SqlNormalizer.fingerprint(replayed);
            assertEquals("same", ShadowMigration.answersVerdict(report, fingerprint), replayed + "\n"
                    + report.prettify());
            assertEquals(List.of(), ShadowMigration.answerFindings(report, fingerprint), report.prettify());
        }
        assertEquals(List.of("seen", "draw"), report.getList("statements.find { it.fingerprint == '"
                + SqlNormalizer.fingerprint(ShadowReplayTest.VOLATILE) + "' }.maskedColumns"));
    }

    /**
     * Two PostgreSQL 15 servers (the analyzer tests' source and target), each with the same database built by the same
     * statements: the C collation, {@link ShadowMigration}'s tables, the index and the implicit cast on both.
     */
    public static class IdenticalServers implements QuarkusTestResourceLifecycleManager {
        static final String DATABASE = "shadow_twins";

        @Override
        public int order() {
            return 1;
        }

        @Override
        public Map<String, String> start() {
            LocalPostgres source = SeededMigration.source();
            LocalPostgres target = SeededMigration.target();
            for (LocalPostgres server : List.of(source, target)) {
                ShadowMigration.create(server, DATABASE, "LOCALE 'C'");
                ConnectionTarget twin = twin(server);
                SeededMigration.execute(twin, ShadowMigration.WORDS);
                SeededMigration.execute(twin, ShadowMigration.SOURCE_CAST);
                SeededMigration.execute(twin, ShadowMigration.ACCOUNTS);
                SeededMigration.execute(twin, ShadowMigration.SOURCE_INDEX);
            }
            return Map.of(
                    "exodus.analyzer.source-url", twin(source).url(),
                    "exodus.analyzer.target-url", twin(target).url(),
                    "quarkus.http.test-port", "0");
        }

        @Override
        public void stop() {
            // the servers are shared by the whole JVM
        }

        private static ConnectionTarget twin(LocalPostgres server) {
            return ConnectionTarget.superuser(server).withDatabase(DATABASE);
        }
    }
}
