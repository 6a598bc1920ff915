package io.exodus.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.exodus.capture.Protocol;
import io.exodus.capture.SessionSettings;
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
 * Each replayed statement runs under the settings its session had (docs/adr/0040). The application's sessions set
 * {@code search_path} to schema {@code app}, where {@code items} is the same on both sides, while {@code public}
 * holds an {@code items} with other rows on each; and they run with {@code TimeZone} Asia/Tokyo, while the source's
 * database defaults to UTC and the target's to America/New_York, which renders the same {@code timestamptz} with
 * another offset. Replayed with their settings, the statements answer alike; the same statements captured without
 * them (an older proxy) are replayed against {@code public.items} and in each database's own zone, and differ.
 */
@QuarkusTest
@QuarkusTestResource(value = ShadowSessionSettingsTest.SettingsServers.class, restrictToAnnotatedClass = true)
class ShadowSessionSettingsTest {
    static final String BY_SEARCH_PATH = "SELECT id, at FROM items ORDER BY id";
    static final String BY_SEARCH_PATH_UNSET = "SELECT at, id FROM items ORDER BY id";
    static final String IN_ZONE = "SELECT id, at FROM app.items ORDER BY id";
    static final String IN_ZONE_UNSET = "SELECT at, id FROM app.items ORDER BY id";
    /** Bound as text, '03/04/2026' reads as the 3rd of April under the session's day-first DateStyle. */
    static final String DAY_FIRST = "SELECT CAST($1 AS date) AS day, id FROM app.items ORDER BY id";
    static final String TENANT = "SELECT count(*) AS items FROM app.items";

    static final Map<String, String> APPLICATION = Map.of("search_path", "app", "timezone", "Asia/Tokyo");

    @Test
    void statementsReplayUnderTheirSessionsSettingsAndDifferWithoutThem() throws Exception {
        Instant now = Instant.now();
        List<StatementEvent> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Instant at = now.plusMillis(i);
            events.add(simple(at, i, BY_SEARCH_PATH, APPLICATION));
            events.add(simple(at, i, BY_SEARCH_PATH_UNSET, null));
            events.add(simple(at, i, IN_ZONE, Map.of("timezone", "Asia/Tokyo")));
            events.add(simple(at, i, IN_ZONE_UNSET, null));
            events.add(new StatementEvent(at, (long) i, null, TransactionBoundary.AUTOCOMMIT, Protocol.EXTENDED,
                    StatementClass.READ, DAY_FIRST, SqlNormalizer.fingerprint(DAY_FIRST), "", List.of("03/04/2026"),
                    100L, null, 2L, null, null, null, Map.of("datestyle", "SQL, DMY"), null));
            events.add(simple(at, i, TENANT, Map.of("app.tenant", SessionSettings.WITHHELD)));
        }
        JsonPath report = ShadowMigration.captureAndReplay(events, Map.of("since", now.minusSeconds(1).toString(),
                "fingerprints", List.of(BY_SEARCH_PATH, BY_SEARCH_PATH_UNSET, IN_ZONE, IN_ZONE_UNSET, DAY_FIRST,
                        TENANT).stream().map(SqlNormalizer::fingerprint).toList()));

        for (String same : List.of(BY_SEARCH_PATH, IN_ZONE, DAY_FIRST)) {
            String fingerprint = SqlNormalizer.fingerprint(same);
            assertEquals("same", ShadowMigration.answersVerdict(report, fingerprint), same + "\n" + report.prettify());
            assertEquals(List.of(), ShadowMigration.answerFindings(report, fingerprint), report.prettify());
        }
        assertEquals("different", verdict(report, BY_SEARCH_PATH_UNSET), report.prettify());
        assertEquals("different", verdict(report, IN_ZONE_UNSET), report.prettify());
        String inZone = report.getString("findings.find { it.fingerprint == '" + SqlNormalizer.fingerprint(
                IN_ZONE_UNSET) + "' }.target");
        assertTrue(inZone.contains("-05:00") || inZone.contains("-04:00"), "rendered in New York: " + inZone);

        assertEquals("not-comparable", verdict(report, TENANT), report.prettify());
        String reason = report.getString("statements.find { it.fingerprint == '" + SqlNormalizer.fingerprint(TENANT)
                + "' }.reason");
        assertTrue(reason.contains("app.tenant") && reason.contains("withheld"), reason);
    }

    private static StatementEvent simple(Instant at, long session, String text, Map<String, String> settings) {
        return new StatementEvent(at, session, null, TransactionBoundary.AUTOCOMMIT, Protocol.SIMPLE,
                StatementClass.READ, text, SqlNormalizer.fingerprint(text), null, null, 100L, null, 2L, null, null,
                null, settings, null);
    }

    private static String verdict(JsonPath report, String sql) {
        return report.getString("statements.find { it.fingerprint == '" + SqlNormalizer.fingerprint(sql)
                + "' }.verdict");
    }


    /**
     * The analyzer tests' two PostgreSQL 15 servers, each with database {@value #DATABASE}: {@code app.items} alike,
     * {@code public.items} with other rows on each, and another default time zone on each.
     */
    public static class SettingsServers implements QuarkusTestResourceLifecycleManager {
        static final String DATABASE = "shadow_settings";
        static final List<String> APP = List.of(
                "CREATE SCHEMA app",
                "CREATE TABLE app.items (id integer PRIMARY KEY, at timestamptz NOT NULL)",
                "INSERT INTO app.items VALUES (1, '2026-01-01 12:00:00+00'), (2, '2026-06-01 12:00:00+00')",
                "CREATE TABLE public.items (id integer PRIMARY KEY, at timestamptz NOT NULL)");

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
                SeededMigration.execute(database(server), APP);
            }
            SeededMigration.execute(database(source), List.of(
                    "INSERT INTO public.items VALUES (1, '2020-01-01 00:00:00+00')",
                    "ALTER DATABASE " + DATABASE + " SET timezone = 'UTC'"));
            SeededMigration.execute(database(target), List.of(
                    "INSERT INTO public.items VALUES (1, '2021-01-01 00:00:00+00'), (2, '2021-02-01 00:00:00+00')",
                    "ALTER DATABASE " + DATABASE + " SET timezone = 'America/New_York'"));
            return Map.of(
                    "exodus.analyzer.source-url", database(source).url(),
                    "exodus.analyzer.target-url", database(target).url(),
                    "quarkus.http.test-port", "0");
        }

        @Override
        public void stop() {
            // the servers are shared by the whole JVM
        }

        private static ConnectionTarget database(LocalPostgres server) {
            return ConnectionTarget.superuser(server).withDatabase(DATABASE);
        }
    }
}
