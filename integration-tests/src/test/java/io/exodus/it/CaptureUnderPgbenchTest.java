package io.exodus.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.exodus.capture.SqlNormalizer;
import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.OtherSettingsServer;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture under pgbench, end to end: the packaged proxy (phase direct) in front of a source that runs
 * pg_stat_statements, shipping to the packaged analyzer. In a quiet run the analyzer counts exactly the calls per
 * statement that pg_stat_statements counts on the source; with the analyzer killed in the middle of a run the clients
 * see no error, and capture resumes once it is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CaptureUnderPgbenchTest {
    private static final String DATABASE = "it_capture";
    private static final String STORE = "it_capture_store";

    private static LocalPostgres source;
    private static int analyzerPort;
    private static ProxyProcess analyzer;
    private static ProxyProcess proxy;
    private static int proxyPort;
    private static int proxyHttpPort;

    @BeforeAll
    static void startSourceAnalyzerAndProxy() {
        source = OtherSettingsServer.of("source-with-pg-stat-statements",
                Map.of("shared_preload_libraries", "pg_stat_statements"));
        Support.executeDirect(source, "create extension if not exists pg_stat_statements");
        Support.executeDirect(source, "drop database if exists " + DATABASE + " with (force)");
        Support.executeDirect(source, "create database " + DATABASE);
        Pgbench.against(ConnectionTarget.superuser(source).withDatabase(DATABASE)).initialize(1).requireSuccess();
        LocalPostgres storeServer = TestDatabases.target();
        Support.executeDirect(storeServer, "drop database if exists " + STORE + " with (force)");
        Support.executeDirect(storeServer, "create database " + STORE);

        analyzerPort = FreePorts.pick();
        analyzer = startAnalyzer();
        proxyPort = FreePorts.pick();
        proxyHttpPort = FreePorts.pick();
        proxy = ProxyProcess.start(Support.proxyJar(), Map.of(
                "EXODUS_SOURCE_URL", Support.superuserUrl(source),
                "EXODUS_LISTEN_PORT", String.valueOf(proxyPort),
                "QUARKUS_HTTP_PORT", String.valueOf(proxyHttpPort),
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_CAPTURE_ANALYZER_URL", "http://127.0.0.1:" + analyzerPort,
                "EXODUS_CAPTURE_FLUSH_INTERVAL", "200ms",
                "EXODUS_CAPTURE_RETRY_BACKOFF", "100ms",
                "EXODUS_CAPTURE_RETRY_BACKOFF_CAP", "1s"), java.util.List.of())
                .awaitListening(proxyPort, Duration.ofSeconds(60));
    }

    private static ProxyProcess startAnalyzer() {
        // The analyzer reads the source's catalogs in another database than pgbench's, so that its own queries do
        // not show in the pg_stat_statements figures compared below.
        return AnalyzerProcess.start(analyzerPort, Map.of(
                "EXODUS_ANALYZER_SOURCE_URL", AnalyzerProcess.url(source, TestUsers.DEFAULT_DATABASE),
                "EXODUS_ANALYZER_STORE_URL", AnalyzerProcess.url(TestDatabases.target(), STORE)));
    }

    @AfterAll
    static void stopEverything() {
        if (proxy != null) {
            proxy.close();
        }
        if (analyzer != null) {
            analyzer.close();
        }
        Support.executeDirect(TestDatabases.target(), "drop database if exists " + STORE + " with (force)");
        Support.executeDirect(source, "drop database if exists " + DATABASE + " with (force)");
    }

    private static ConnectionTarget throughProxy() {
        return ConnectionTarget.local(proxyPort, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, DATABASE);
    }

    @Test
    @Order(1)
    void callsPerStatementMatchPgStatStatementsOnTheSourceInAQuietRun() {
        Support.executeDirect(source, "select pg_stat_statements_reset()");
        Pgbench pgbench = Pgbench.against(throughProxy());
        pgbench.run(QueryMode.SIMPLE, 4, 2, 25, BuiltinScript.TPCB_LIKE).requireSuccess();
        pgbench.run(QueryMode.EXTENDED, 4, 2, 25, BuiltinScript.TPCB_LIKE).requireSuccess();
        // Not tpcb-like: before PostgreSQL 16, pg_stat_statements counts a named prepared utility statement (pgbench's
        // BEGIN and END under -M prepared) at its first execution only, where capture counts every one.
        pgbench.run(QueryMode.PREPARED, 2, 2, 25, BuiltinScript.SELECT_ONLY).requireSuccess();

        Map<String, Long> expected = pgStatStatementsCallsByFingerprint();
        assertTrue(expected.values().stream().mapToLong(Long::longValue).sum() > 4 * 25 * 7,
                "pg_stat_statements saw the runs: " + expected);
        Map<String, Long>[] captured = new Map[1];
        boolean matched = Support.await(Duration.ofSeconds(60),
                () -> (captured[0] = new TreeMap<>(AnalyzerProcess.callsByFingerprint(analyzerPort))).equals(expected));
        assertEquals(expected, captured[0], Support.withLog(proxy, "calls per fingerprint, pg_stat_statements vs the "
                + "analyzer (matched: " + matched + ")"));
        JsonNode workload = AnalyzerProcess.json(analyzerPort, "/analyzer/profile").path("workload");
        assertEquals(0, workload.path("droppedEvents").asLong(), "nothing dropped in a quiet run: " + workload);
    }

    @Test
    @Order(2)
    void killingTheAnalyzerMidRunCostsClientsNothingAndCaptureResumesWhenItIsBack() throws Exception {
        long eventsBefore = AnalyzerProcess.json(analyzerPort, "/analyzer/profile").path("workload").path("events")
                .asLong();
        CompletableFuture<PgbenchResult> run = CompletableFuture.supplyAsync(() -> Pgbench.against(throughProxy())
                .run(QueryMode.PREPARED, 4, 2, Duration.ofSeconds(12), BuiltinScript.TPCB_LIKE));
        Support.sleep(3000);
        analyzer.kill9();
        Support.sleep(4000);
        analyzer = startAnalyzer();
        PgbenchResult result = run.get(2, TimeUnit.MINUTES);
        result.requireSuccess();
        assertEquals(0L, result.failedTransactions().orElse(0L), "no client saw an error: " + result.stdout());
        assertTrue(result.processedTransactions().orElse(0L) > 0, result.stdout());

        // After the run, more comes in than before it, and the proxy reports what it dropped while the analyzer was
        // gone (and the analyzer counts it).
        boolean resumed = Support.await(Duration.ofSeconds(60), () -> {
            JsonNode workload = AnalyzerProcess.json(analyzerPort, "/analyzer/profile").path("workload");
            return workload.path("events").asLong() > eventsBefore && workload.path("droppedEvents").asLong() > 0;
        });
        JsonNode status = AnalyzerProcess.json(proxyHttpPort, "/exodus/migration").path("analyzer").path("capture");
        assertTrue(resumed, Support.withLog(proxy, "capture resumed after the analyzer came back: " + status));
        assertTrue(status.path("analyzerReachable").asBoolean(), status.toString());
        assertTrue(status.path("dropped").path("analyzer-unavailable").asLong()
                + status.path("dropped").path("buffer-full").asLong() > 0, status.toString());
        System.out.printf("CaptureUnderPgbenchTest: %s while the analyzer was killed; capture status %s%n",
                result.tps().isPresent() ? result.tps().getAsDouble() + " tps" : "?", status);
    }

    /** pgbench's database's statements as pg_stat_statements counts them, grouped by the capture fingerprint. */
    private static Map<String, Long> pgStatStatementsCallsByFingerprint() {
        Map<String, Long> calls = new TreeMap<>();
        try (Connection connection = ConnectionTarget.superuser(source).openJdbc();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select query, calls from pg_stat_statements"
                        + " where toplevel and dbid = (select oid from pg_database where datname = '" + DATABASE
                        + "')")) {
            while (rows.next()) {
                calls.merge(SqlNormalizer.fingerprint(rows.getString(1)), rows.getLong(2), Long::sum);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return calls;
    }
}
