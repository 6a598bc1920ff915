package io.exodus.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.capture.SqlNormalizer;
import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What pgJDBC runs through the packaged proxy (in dual-write), captured with its values and its session's settings,
 * replays alike on two databases that hold the same data: values bound in binary (integers, floats, a uuid, bytea)
 * are decoded by their declared types, and a session's search_path and TimeZone are given to each replayed statement —
 * although each database's public schema holds another {@code items} and their default time zones differ, which a
 * replay under the analyzer's own defaults reports as differences. And the proxy's live shadow reads of that differing
 * table reach the analyzer as shadow findings of origin live.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShadowReplayOfCapturedTrafficTest {
    private static final String DATABASE = "it_shadow_capture";
    private static final String STORE = "it_shadow_capture_store";
    private static final UUID SENSOR = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    private static final String BINARY_READ = "select id, label from readings where id = ? and big = ? and small = ?"
            + " and ratio = ? and f4 = ? and sensor = ? and blob = ?";
    private static final String UNDER_SETTINGS = "select id, at from items order by id";
    /** public.items: one row on the source, two on the target. */
    private static final String DIFFERING = "select id from public.items where id > 0";
    private static final String TOKEN = "shadow-capture-token";

    private static ProxyProcess analyzer;
    private static ProxyProcess proxy;
    private static int analyzerPort;
    private static int proxyPort;
    private static int proxyHttpPort;

    @BeforeAll
    static void start() {
        seed(TestDatabases.source(), "UTC", "(1, '2020-01-01 00:00:00+00')");
        seed(TestDatabases.target(), "America/New_York", "(1, '2021-01-01 00:00:00+00'), (2, '2021-02-01 00:00:00+00')");
        Support.executeDirect(TestDatabases.target(), "drop database if exists " + STORE + " with (force)");
        Support.executeDirect(TestDatabases.target(), "create database " + STORE);
        analyzerPort = FreePorts.pick();
        analyzer = AnalyzerProcess.start(analyzerPort, Map.of(
                "EXODUS_ANALYZER_SOURCE_URL", AnalyzerProcess.url(TestDatabases.source(), DATABASE),
                "EXODUS_ANALYZER_TARGET_URL", AnalyzerProcess.url(TestDatabases.target(), DATABASE),
                "EXODUS_ANALYZER_STORE_URL", AnalyzerProcess.url(TestDatabases.target(), STORE),
                "EXODUS_ANALYZER_SHADOW_LOAD_GUARD_ENABLED", "false"));
        proxyPort = FreePorts.pick();
        proxyHttpPort = FreePorts.pick();
        proxy = Support.startProxyOnTestDatabases(proxyPort, Map.ofEntries(
                Map.entry("QUARKUS_HTTP_PORT", String.valueOf(proxyHttpPort)),
                Map.entry("EXODUS_TLS_MODE", "disable"),
                Map.entry("EXODUS_MIGRATION_PHASE", "dual-write"),
                Map.entry("EXODUS_MIGRATION_POLICY", "both-required"),
                Map.entry("EXODUS_MIGRATION_PROXY_ID", "it-shadow-capture"),
                Map.entry("EXODUS_CONTROL_FLEET", "it-shadow-capture"),
                Map.entry("EXODUS_ADMIN_TOKEN", TOKEN),
                Map.entry("EXODUS_MIGRATION_SHADOW_SHARE", "100"),
                Map.entry("EXODUS_STRATEGY_SOAK", "10m"),
                Map.entry("EXODUS_STRATEGY_MAX_SHADOW_MISMATCHES", "1000000"),
                Map.entry("EXODUS_CAPTURE_ANALYZER_URL", "http://127.0.0.1:" + analyzerPort),
                Map.entry("EXODUS_CAPTURE_PARAMETERS", "all"),
                Map.entry("EXODUS_CAPTURE_FLUSH_INTERVAL", "200ms"),
                Map.entry("EXODUS_CAPTURE_RECOMMENDATIONS_INTERVAL", "1h")));
        // The admin API may come up after the listener the start waits for.
        assertTrue(Support.awaitHttp(proxyHttpPort, "/q/health/live", Duration.ofSeconds(60),
                Support.HttpAnswer::isUp).isUp(), Support.withLog(proxy, "the proxy's HTTP port is up"));
    }

    /** The same readings and app.items on both; another public.items and default time zone on each. */
    private static void seed(LocalPostgres server, String timeZone, String publicItems) {
        Support.executeDirect(server, "drop database if exists " + DATABASE + " with (force)");
        Support.executeDirect(server, "create database " + DATABASE);
        Support.executeDirect(server, "alter database " + DATABASE + " set timezone = '" + timeZone + "'");
        ConnectionTarget database = ConnectionTarget.superuser(server).withDatabase(DATABASE);
        Support.executeDirect(database, "create table readings (id int primary key, big bigint, small smallint, "
                + "ratio float8, f4 real, sensor uuid, blob bytea, label text)");
        Support.executeDirect(database, "insert into readings values (1, 9000000000, -2, 0.25, 0.5, '" + SENSOR
                + "', '\\x00ff', 'one'), (2, 1, 1, 1, 1, gen_random_uuid(), '\\x01', 'two')");
        Support.executeDirect(database, "create schema app");
        Support.executeDirect(database, "create table app.items (id int primary key, at timestamptz)");
        Support.executeDirect(database, "insert into app.items values (1, '2026-01-01 12:00:00+00'), "
                + "(2, '2026-06-01 12:00:00+00')");
        Support.executeDirect(database, "create table public.items (id int primary key, at timestamptz)");
        Support.executeDirect(database, "insert into public.items values " + publicItems);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (analyzer != null) {
            analyzer.close();
        }
        Support.executeDirect(TestDatabases.target(), "drop database if exists " + STORE + " with (force)");
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void binaryValuesAndSessionSettingsReplayAsCapturedAndIdenticalDataMakesNoFinding() throws Exception {
        Properties binary = new Properties();
        binary.setProperty("prepareThreshold", "1");
        binary.setProperty("binaryTransfer", "true");
        try (Connection client = throughProxy().openJdbc(binary)) {
            try (PreparedStatement read = client.prepareStatement(BINARY_READ)) {
                for (int i = 0; i < 5; i++) {
                    read.setInt(1, 1);
                    read.setLong(2, 9_000_000_000L);
                    read.setShort(3, (short) -2);
                    read.setDouble(4, 0.25);
                    read.setFloat(5, 0.5f);
                    read.setObject(6, SENSOR);
                    read.setBytes(7, new byte[] { 0, (byte) 0xff });
                    try (ResultSet rows = read.executeQuery()) {
                        assertTrue(rows.next(), "the client finds its row");
                    }
                }
            }
            try (Statement session = client.createStatement()) {
                session.execute("set search_path = app");
                session.execute("set time zone 'Asia/Tokyo'");
                for (int i = 0; i < 5; i++) {
                    try (ResultSet rows = session.executeQuery(UNDER_SETTINGS)) {
                        assertTrue(rows.next());
                    }
                }
            }
        }
        String binaryShape = SqlNormalizer.fingerprint(BINARY_READ.replace("?", "$1"));
        String settingsShape = SqlNormalizer.fingerprint(UNDER_SETTINGS);
        assertTrue(Support.await(Duration.ofSeconds(60), () -> {
            Map<String, Long> calls = AnalyzerProcess.callsByFingerprint(analyzerPort);
            return calls.getOrDefault(binaryShape, 0L) >= 5 && calls.getOrDefault(settingsShape, 0L) >= 5;
        }), Support.withLog(proxy, "capture reached the analyzer: " + AnalyzerProcess.callsByFingerprint(analyzerPort)));

        // What the replay got: each value in binary, and the session's settings (the store's own columns).
        ConnectionTarget store = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(STORE);
        assertEquals(5, Support.queryLong(store, "select count(*) from exodus_analyzer.statement_event where "
                + "fingerprint = '" + binaryShape + "' and parameter_formats = '[1, 1, 1, 1, 1, 1, 1]'"));
        assertEquals(5, Support.queryLong(store, "select count(*) from exodus_analyzer.statement_event where "
                + "fingerprint = '" + settingsShape + "' and settings ->> 'search_path' = 'app' "
                + "and settings ->> 'timezone' = 'Asia/Tokyo'"));

        JsonNode report = replay(List.of(binaryShape, settingsShape));
        for (JsonNode finding : report.path("findings")) {
            // The live shadow reads of the other test may have found public.items; the replay finds nothing.
            assertEquals("live", finding.path("origin").asText(), report.toPrettyString());
        }
        for (String shape : List.of(binaryShape, settingsShape)) {
            JsonNode statement = statement(report, shape);
            assertEquals("same", statement.path("verdict").asText(), report.toPrettyString());
            // Timed only where every run answered rows: the values were read as the client bound them.
            assertEquals(statement.path("replayed").asInt(), statement.path("source").path("samples").asInt(),
                    report.toPrettyString());
            assertTrue(statement.path("replayed").asInt() >= 5, report.toPrettyString());
        }
    }

    @Test
    void liveShadowReadsThatDifferAreShadowFindingsOfOriginLive() throws Exception {
        Support.HttpAnswer started = Support.put(proxyHttpPort, "/exodus/migration/strategy", TOKEN,
                "{\"strategy\": \"shadow\"}");
        assertEquals(200, started.status(), started.body());
        try (Connection client = throughProxy().openJdbc(); Statement statement = client.createStatement()) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rows = statement.executeQuery(DIFFERING)) {
                    assertTrue(rows.next() && !rows.next(), "the client gets the source's one row");
                }
            }
        } finally {
            Support.put(proxyHttpPort, "/exodus/migration/strategy", TOKEN, "{\"strategy\": \"none\"}");
        }
        String fingerprint = SqlNormalizer.fingerprint(DIFFERING);
        JsonNode[] live = new JsonNode[1];
        assertTrue(Support.await(Duration.ofSeconds(60), () -> {
            for (JsonNode finding : AnalyzerProcess.json(analyzerPort, "/analyzer/shadow").path("findings")) {
                if (finding.path("fingerprint").asText().equals(fingerprint)) {
                    live[0] = finding;
                    return true;
                }
            }
            return false;
        }), Support.withLog(proxy, "a live mismatch reached the analyzer"));
        assertEquals("live", live[0].path("origin").asText(), live[0].toPrettyString());
        assertEquals("result", live[0].path("kind").asText());
        assertEquals("select id from public.items where id > $1", live[0].path("query").asText());
        assertEquals("1 rows", live[0].path("source").asText());
        assertEquals("2 rows", live[0].path("target").asText());
    }

    private static JsonNode replay(List<String> fingerprints) throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("fingerprints", fingerprints));
        Support.HttpAnswer started = Support.post(analyzerPort, "/analyzer/shadow", null, body);
        assertEquals(202, started.status(), started.body());
        JsonNode[] report = new JsonNode[1];
        Support.await(Duration.ofSeconds(120), () -> {
            report[0] = AnalyzerProcess.json(analyzerPort, "/analyzer/shadow");
            return !report[0].path("state").asText().equals("running");
        });
        assertEquals("done", report[0].path("state").asText(), report[0].toPrettyString());
        return report[0];
    }

    private static JsonNode statement(JsonNode report, String fingerprint) {
        for (JsonNode statement : report.path("statements")) {
            if (statement.path("fingerprint").asText().equals(fingerprint)) {
                return statement;
            }
        }
        throw new AssertionError("no statement " + fingerprint + " in " + report.toPrettyString());
    }

    private static ConnectionTarget throughProxy() {
        return ConnectionTarget.local(proxyPort, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, DATABASE);
    }
}
