package io.exodus.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestUsers;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged analyzer in its own JVM, beside a proxy: started, read over REST, killed and started again. */
final class AnalyzerProcess {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnalyzerProcess() {
    }

    /** A URL of a test server's database in the form the analyzer takes. */
    static String url(LocalPostgres server, String database) {
        return server.url(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, database) + "?sslmode=disable";
    }

    /** Starts the analyzer on this port and waits until it is ready (its store answers). */
    static ProxyProcess start(int httpPort, Map<String, String> environment) {
        Map<String, String> all = new HashMap<>(environment);
        all.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        ProxyProcess analyzer = ProxyProcess.start(Support.analyzerJar(), all, List.of());
        Support.HttpAnswer ready = Support.awaitHttp(httpPort, "/q/health/ready", Duration.ofSeconds(90),
                answer -> answer.isUp() || !analyzer.isAlive());
        if (!ready.isUp()) {
            analyzer.close();
        }
        assertTrue(ready.isUp(), Support.withLog(analyzer, "analyzer ready within 90 s: " + ready));
        return analyzer;
    }

    /** GET of a JSON resource that must answer 200. */
    static JsonNode json(int port, String path) {
        Support.HttpAnswer answer = Support.get(port, path);
        if (answer.status() != 200) {
            throw new AssertionError("GET " + path + " on port " + port + ": " + answer);
        }
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + ": not JSON: " + answer.body(), e);
        }
    }

    /** Calls per fingerprint in the analyzer's workload profile (its top statements by calls). */
    static Map<String, Long> callsByFingerprint(int port) {
        Map<String, Long> calls = new HashMap<>();
        for (JsonNode statement : json(port, "/analyzer/profile").path("workload").path("topByCalls")) {
            calls.put(statement.path("fingerprint").asText(), statement.path("calls").asLong());
        }
        return calls;
    }
}
