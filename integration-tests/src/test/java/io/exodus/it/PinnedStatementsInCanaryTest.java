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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A statement the analyzer pins stays on the source in phase canary: the packaged proxy, every read outside a
 * transaction on the target, captures to the packaged analyzer and pulls its recommendations on demand. A read of the
 * server's clock goes to the target until the analyzer pins it; then it is answered by the source, while other reads
 * stay on the target. The recommended policy and settings show in the proxy's status.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PinnedStatementsInCanaryTest {
    private static final String DATABASE = "it_pinned";
    private static final String STORE = "it_pinned_store";
    private static final String TOKEN = "pinned-test-token";
    /** Reads the server's clock: the analyzer pins it (finding server-drawn-read). */
    private static final String CLOCK_READ = "select code from coupons where expires_at > clock_timestamp()";
    private static final String PLAIN_READ = "select code from coupons order by code limit 1";

    private static ProxyProcess analyzer;
    private static ProxyProcess proxy;
    private static int proxyPort;
    private static int proxyHttpPort;

    @BeforeAll
    static void start() {
        // The two databases differ on purpose: each answer tells which server gave it.
        seed(TestDatabases.source(), "on-the-source");
        seed(TestDatabases.target(), "on-the-target");
        Support.executeDirect(TestDatabases.target(), "drop database if exists " + STORE + " with (force)");
        Support.executeDirect(TestDatabases.target(), "create database " + STORE);
        int analyzerPort = FreePorts.pick();
        analyzer = AnalyzerProcess.start(analyzerPort, Map.of(
                "EXODUS_ANALYZER_SOURCE_URL", AnalyzerProcess.url(TestDatabases.source(), DATABASE),
                "EXODUS_ANALYZER_TARGET_URL", AnalyzerProcess.url(TestDatabases.target(), DATABASE),
                "EXODUS_ANALYZER_STORE_URL", AnalyzerProcess.url(TestDatabases.target(), STORE)));
        proxyPort = FreePorts.pick();
        proxyHttpPort = FreePorts.pick();
        proxy = Support.startProxyOnTestDatabases(proxyPort, Map.of(
                "QUARKUS_HTTP_PORT", String.valueOf(proxyHttpPort),
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", "canary",
                "EXODUS_MIGRATION_CANARY_PERCENT", "100",
                "EXODUS_ADMIN_TOKEN", TOKEN,
                "EXODUS_CAPTURE_ANALYZER_URL", "http://127.0.0.1:" + analyzerPort,
                "EXODUS_CAPTURE_FLUSH_INTERVAL", "200ms",
                "EXODUS_CAPTURE_RECOMMENDATIONS_INTERVAL", "1h"));
    }

    private static void seed(LocalPostgres server, String code) {
        Support.executeDirect(server, "drop database if exists " + DATABASE + " with (force)");
        Support.executeDirect(server, "create database " + DATABASE);
        ConnectionTarget database = ConnectionTarget.superuser(server).withDatabase(DATABASE);
        Support.executeDirect(database, "create table coupons (code text primary key, expires_at timestamptz)");
        Support.executeDirect(database, "insert into coupons values ('" + code + "', now() + interval '1 day')");
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
    void aReadTheAnalyzerPinsIsAnsweredByTheSourceWhileOtherReadsStayOnTheTarget() throws Exception {
        assertTrue(answeredByTheTarget(CLOCK_READ), "before the pin, canary sends the clock read to the target");
        assertTrue(answeredByTheTarget(PLAIN_READ));

        String fingerprint = SqlNormalizer.fingerprint(CLOCK_READ);
        JsonNode[] pulled = new JsonNode[1];
        boolean pinned = Support.await(Duration.ofSeconds(90), () -> {
            pulled[0] = pullRecommendations();
            for (JsonNode statement : pulled[0].path("recommendations").path("pinnedStatements")) {
                if (statement.path("fingerprint").asText().equals(fingerprint)) {
                    return true;
                }
            }
            Support.sleep(500);
            return false;
        });
        assertTrue(pinned, Support.withLog(proxy, "the analyzer pins the clock read: " + pulled[0]));

        for (int i = 0; i < 5; i++) {
            assertEquals("on-the-source", readThroughProxy(CLOCK_READ), "a pinned read stays on the source");
        }
        assertTrue(answeredByTheTarget(PLAIN_READ), "other reads are still canary reads");

        JsonNode shown = withToken("GET", "/exodus/migration").path("analyzer");
        JsonNode recommendations = shown.path("recommendations");
        assertFalse(recommendations.path("policy").path("value").asText().isEmpty(), shown.toString());
        assertTrue(recommendations.path("settings").size() > 0, "recommended settings are shown: " + shown);
        assertEquals("server-drawn-read", recommendations.path("pinnedStatements").get(0).path("finding").asText());
        assertTrue(shown.path("capture").path("sent").asLong() > 0, shown.toString());
    }

    /**
     * Whether the target answers the read in one of a few sessions: a canary read also needs the session's target
     * connection idle, which it may not be yet right after the driver's start-up SETs on a loaded machine.
     */
    private static boolean answeredByTheTarget(String sql) throws SQLException {
        for (int attempt = 0; attempt < 10; attempt++) {
            if (readThroughProxy(sql).equals("on-the-target")) {
                return true;
            }
            Support.sleep(200);
        }
        return false;
    }

    private static String readThroughProxy(String sql) throws SQLException {
        ConnectionTarget throughProxy = ConnectionTarget.local(proxyPort, TestUsers.SUPERUSER,
                TestUsers.SUPERUSER_PASSWORD, DATABASE);
        try (Connection connection = throughProxy.openJdbc();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertTrue(rows.next(), sql);
            return rows.getString(1);
        }
    }

    private static JsonNode pullRecommendations() {
        return withToken("POST", "/exodus/migration/recommendations");
    }

    /** The proxy's admin API with the bearer token; a refusal comes back as {"problem": …}. */
    private static JsonNode withToken(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyHttpPort + path))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = new ObjectMapper().readTree(response.body());
            return response.statusCode() == 200 ? body : new ObjectMapper().createObjectNode().set("problem", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
