package io.exodus.analyzer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.Protocol;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.exodus.capture.TransactionBoundary;
import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.OtherVersionServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A source and a target for shadow replay that differ on purpose: the source is the analyzer tests' server (the class
 * path's PostgreSQL, 15 by default), the target a newer major version (postgres.target-binaries.version, 17 by
 * default), so that functions new in it answer there only; the target's database sorts text by ICU's en-US where the
 * source's sorts bytewise (C); the source has an index the target lacks; and the source has the implicit
 * integer-to-text cast PostgreSQL dropped in 8.3, so that a statement resolves on the source and fails on the target.
 * Data is the same. Each server has the same database twice: the live one, and a scratch copy where writes replay.
 */
public class ShadowMigration implements QuarkusTestResourceLifecycleManager {
    public static final String DATABASE = "shadow";
    /** The scratch copies, seeded alike, where writes replay and roll back. */
    public static final String SCRATCH = "shadow_scratch";

    static final List<String> WORDS = List.of(
            "CREATE TABLE words (id integer PRIMARY KEY, word text NOT NULL)",
            "INSERT INTO words VALUES (1, 'apple'), (2, 'Banana'), (3, 'cherry'), (4, 'Date'), (5, 'elder')",
            "CREATE TABLE readings (id integer PRIMARY KEY, value double precision NOT NULL)",
            "INSERT INTO readings SELECT g, g * 0.1 FROM generate_series(1, 1000) g",
            "ANALYZE");
    /** Large enough that a sequential scan is many times an index scan, whatever else the machine is doing. */
    static final List<String> ACCOUNTS = List.of(
            "CREATE TABLE accounts (id integer PRIMARY KEY, owner integer NOT NULL, balance numeric NOT NULL)",
            "INSERT INTO accounts SELECT g, g % 1000, g * 1.5 FROM generate_series(1, 300000) g",
            "ANALYZE accounts");
    static final List<String> SOURCE_INDEX = List.of(
            "CREATE INDEX accounts_owner ON accounts (owner)",
            "ANALYZE accounts");
    static final List<String> SOURCE_CAST = List.of("CREATE CAST (integer AS text) WITH INOUT AS IMPLICIT");

    private static final Path NEWER_BINARIES = Path.of("target", "postgres-binaries", "target-postgres.jar");

    public static LocalPostgres source() {
        return SeededMigration.source();
    }

    public static LocalPostgres target() {
        return OtherVersionServer.of("analyzer-shadow-target-newer", NEWER_BINARIES);
    }

    public static ConnectionTarget database(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(DATABASE);
    }

    public static ConnectionTarget scratch(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(SCRATCH);
    }

    /**
     * After {@link SeededMigration}, which every analyzer test gets: these URLs replace its for the classes that ask
     * for this resource (restrictToAnnotatedClass keeps them from every other test).
     */
    @Override
    public int order() {
        return 1;
    }

    @Override
    public Map<String, String> start() {
        LocalPostgres source = source();
        LocalPostgres target = target();
        for (String name : List.of(DATABASE, SCRATCH)) {
            create(source, name, "LOCALE 'C'");
            create(target, name, "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.utf8'");
            SeededMigration.execute(ConnectionTarget.superuser(source).withDatabase(name), WORDS);
            SeededMigration.execute(ConnectionTarget.superuser(source).withDatabase(name), SOURCE_CAST);
            SeededMigration.execute(ConnectionTarget.superuser(target).withDatabase(name), WORDS);
        }
        // The writes replayed on the scratch copies touch words only.
        SeededMigration.execute(database(source), ACCOUNTS);
        SeededMigration.execute(database(source), SOURCE_INDEX);
        SeededMigration.execute(database(target), ACCOUNTS);
        return Map.of(
                "exodus.analyzer.source-url", database(source).url(),
                "exodus.analyzer.target-url", database(target).url(),
                "exodus.analyzer.shadow.scratch-source-url", scratch(source).url(),
                "exodus.analyzer.shadow.scratch-target-url", scratch(target).url(),
                // On here so that the plan finding's trees carry what each node did; PlanShapeTest has both forms.
                "exodus.analyzer.shadow.explain-analyze", "true",
                "quarkus.http.test-port", "0");
    }

    /** Captures the events as a proxy would ship them, replays them as asked, and answers the finished report. */
    static JsonPath captureAndReplay(List<StatementEvent> events, Map<String, Object> request)
            throws InterruptedException {
        given().contentType(ContentType.JSON).body(new CaptureBatch("shadow-test", 0L, events))
                .post("/analyzer/capture").then().statusCode(202);
        given().contentType(ContentType.JSON).body(request).post("/analyzer/shadow").then().statusCode(202)
                .body("state", equalTo("running"));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        JsonPath report;
        do {
            Thread.sleep(200);
            report = given().get("/analyzer/shadow").then().statusCode(200).extract().jsonPath();
        } while (report.getString("state").equals("running") && Instant.now().isBefore(deadline));
        assertEquals("done", report.getString("state"), report.prettify());
        return report;
    }

    /**
     * A statement's verdict on its answers alone. A busy machine's jitter can push the target's runs past
     * latency-min-difference and make answers that were the same "regressed"; only the latency tests are about that.
     */
    static String answersVerdict(JsonPath report, String fingerprint) {
        String verdict = report.getString("statements.find { it.fingerprint == '" + fingerprint + "' }.verdict");
        return "regressed".equals(verdict) && answerFindings(report, fingerprint).isEmpty() ? "same" : verdict;
    }

    /** A statement's findings but latency ones, for the reason {@link #answersVerdict} gives. */
    static List<Object> answerFindings(JsonPath report, String fingerprint) {
        return report.getList("findings.findAll { it.fingerprint == '" + fingerprint + "' && it.kind != 'latency' }");
    }

    /** An extended-protocol execution captured with its one bound value. */
    static StatementEvent extended(Instant at, long session, StatementClass statementClass, String text,
            String value) {
        return new StatementEvent(at, session, null, TransactionBoundary.AUTOCOMMIT, Protocol.EXTENDED,
                statementClass, text, SqlNormalizer.fingerprint(text), "", List.of(value), 100L, null, 1L, null,
                null);
    }

    /** The same, with the parameter type its Parse declared (a type OID), as the proxy captures it with the value. */
    static StatementEvent extended(Instant at, long session, StatementClass statementClass, String text, String value,
            long declaredType) {
        return new StatementEvent(at, session, null, TransactionBoundary.AUTOCOMMIT, Protocol.EXTENDED,
                statementClass, text, SqlNormalizer.fingerprint(text), "", List.of(value), 100L, null, 1L, null,
                null, List.of(declaredType));
    }

    @Override
    public void stop() {
        // the servers are shared by the whole JVM
    }

    static void create(LocalPostgres server, String name, String locale) {
        try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + name + " TEMPLATE template0 " + locale);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + " on " + server, e);
        }
    }
}
