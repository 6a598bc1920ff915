package io.exodus.proxy.capture;

import io.exodus.capture.CaptureBatch;
import io.exodus.capture.Protocol;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.exodus.capture.TransactionBoundary;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Phase direct with capture on: what pgJDBC runs through the pass-through relay reaches the analyzer's endpoint as
 * statement events — normalised, fingerprinted as the analyzer does, with protocol, transaction boundaries, rows,
 * errors, values (redacted where the text says so) — gzip-compressed; and an analyzer that is down costs events,
 * counted, never a client's statement, until it is back.
 */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
@TestProfile(CaptureProfile.class)
class CaptureTapTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @ConfigProperty(name = "test.analyzer-intake")
    String intake;

    private Connection connect(String queryMode) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", TestUsers.SCRAM_USER);
        properties.setProperty("password", TestUsers.SCRAM_PASSWORD);
        properties.setProperty("sslmode", "disable");
        properties.setProperty("prepareThreshold", "1");
        properties.setProperty("preferQueryMode", queryMode);
        return new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
    }

    @Test
    void extendedStatementsInATransactionAreCapturedWithValuesRowsAndBoundaries() throws SQLException {
        CapturedEvents captured = new CapturedEvents(intake);
        try (Connection connection = connect("extended")) {
            Statement ddl = connection.createStatement();
            ddl.execute("drop table if exists capture_items");
            ddl.execute("create table capture_items (id int primary key, name text)");
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("insert into capture_items values (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "item " + i);
                    assertEquals(1, insert.executeUpdate());
                }
            }
            connection.commit();
            connection.setAutoCommit(true);
            try (PreparedStatement select = connection.prepareStatement(
                    "select name from capture_items where id >= ?")) {
                select.setInt(1, 2);
                select.executeQuery().close();
            }
            SQLException failure = assertThrows(SQLException.class,
                    () -> connection.createStatement().execute("select 1 / 0 from capture_items"));
            assertEquals("22012", failure.getSQLState());
        }

        String insertText = "insert into capture_items values ($1, $2)";
        List<StatementEvent> inserts = captured.await(event -> event.text().equals(insertText), 3, WAIT);
        assertEquals(3, inserts.size());
        for (int i = 0; i < 3; i++) {
            StatementEvent insert = inserts.get(i);
            assertEquals(SqlNormalizer.fingerprint(insertText), insert.fingerprint());
            assertEquals(Protocol.EXTENDED, insert.protocol());
            assertEquals(StatementClass.WRITE, insert.statementClass());
            assertEquals(1L, insert.rows());
            assertEquals(TransactionBoundary.INSIDE, insert.transactionBoundary());
            // pgJDBC binds an int in binary: shipped as bytea prints it.
            assertEquals(List.of(String.format("\\x%08x", i + 1), "item " + (i + 1)), insert.parameters());
            assertEquals(List.of(1, 0), insert.parameterFormats(), "the int in binary, the text as text");
            assertTrue(insert.sourceMicros() != null && insert.sourceMicros() >= 0);
            assertNull(insert.targetMicros(), "phase direct runs nothing on the target");
        }
        long session = inserts.get(0).sessionId();
        long transaction = inserts.get(0).transactionId();
        StatementEvent begin = captured.await(event -> event.sessionId() == session
                && event.text().equalsIgnoreCase("BEGIN"), 1, WAIT).get(0);
        assertEquals(TransactionBoundary.BEGIN, begin.transactionBoundary());
        assertEquals(transaction, begin.transactionId());
        StatementEvent commit = captured.await(event -> event.sessionId() == session
                && event.text().equalsIgnoreCase("COMMIT"), 1, WAIT).get(0);
        assertEquals(TransactionBoundary.COMMIT, commit.transactionBoundary());
        assertEquals(transaction, commit.transactionId());

        StatementEvent select = captured.await(event -> event.text().equals(
                "select name from capture_items where id >= $1"), 1, WAIT).get(0);
        assertEquals(2L, select.rows());
        assertEquals(StatementClass.READ, select.statementClass());
        assertEquals(TransactionBoundary.AUTOCOMMIT, select.transactionBoundary());
        assertNull(select.transactionId());
        assertEquals(session, select.sessionId());

        StatementEvent failed = captured.await(event -> event.text().equals("select $1 / $2 from capture_items"), 1,
                WAIT).get(0);
        assertEquals("22012", failed.sqlstate());
        assertNull(failed.rows());
        assertTrue(captured.encodings().lines().allMatch("gzip"::equals), "every batch is gzip-compressed");
    }

    @Test
    void aSimpleQueryOfSeveralStatementsGivesOneEventEachWithItsLiteralsReplaced() throws SQLException {
        CapturedEvents captured = new CapturedEvents(intake);
        try (Connection connection = connect("simple")) {
            connection.createStatement().execute("select 'several' as first; select 42 as second where 7 > 3");
        }
        StatementEvent first = captured.await(event -> event.text().equals("select $1 as first"), 1, WAIT).get(0);
        StatementEvent second = captured.await(event -> event.text().equals("select $1 as second where $2 > $3"), 1,
                WAIT).get(0);
        assertEquals(Protocol.SIMPLE, first.protocol());
        assertEquals(Protocol.SIMPLE, second.protocol());
        assertEquals(first.sessionId(), second.sessionId());
        assertEquals(1L, first.rows());
        assertEquals(1L, second.rows());
        assertNull(first.parameters(), "the simple protocol has no bound values; its literals are not shipped");
        assertEquals(SqlNormalizer.fingerprint("select 42 as second where 7 > 3"), second.fingerprint());
    }

    @Test
    void valuesOfStatementsThatNameSecretsAreRedacted() throws SQLException {
        CapturedEvents captured = new CapturedEvents(intake);
        try (Connection connection = connect("extended")) {
            connection.createStatement().execute("drop table if exists capture_logins");
            connection.createStatement().execute("create table capture_logins (login text, password_hash text)");
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into capture_logins (login, password_hash) values (?, ?)")) {
                insert.setString(1, "alice");
                insert.setString(2, "s3cr3t-hash");
                insert.executeUpdate();
            }
        }
        StatementEvent insert = captured.await(event -> event.text().startsWith("insert into capture_logins"), 1,
                WAIT).get(0);
        assertEquals(List.of("<redacted>", "<redacted>"), insert.parameters());
    }

    @Test
    void anAnalyzerThatIsDownCostsEventsNotStatementsAndCaptureResumesWhenItIsBack() throws SQLException {
        CapturedEvents captured = new CapturedEvents(intake);
        captured.down();
        try (Connection connection = connect("extended")) {
            for (int i = 0; i < 50; i++) {
                try (PreparedStatement select = connection.prepareStatement("select ? as while_down")) {
                    select.setInt(1, i);
                    select.executeQuery().close();
                }
            }
            // The batches that held them have failed their tries by now and are counted as dropped.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (droppedBecauseUnavailable() == 0 && System.nanoTime() < deadline) {
                CapturedEvents.sleep(50);
            }
            assertTrue(droppedBecauseUnavailable() > 0, "events of batches the analyzer missed are counted");
            assertEquals(Boolean.FALSE, RestAssured.get("/exodus/migration").then().statusCode(200).extract()
                    .path("analyzer.capture.analyzerReachable"));
            captured.up();
            connection.createStatement().execute("select 'the analyzer is back' as after_down");
        }
        captured.await(event -> event.text().equals("select $1 as after_down"), 1, WAIT);
        assertTrue(captured.events().stream().noneMatch(event -> event.text().equals("select $1 as while_down")),
                "nothing of the batches the analyzer refused while down arrives later");
        List<CaptureBatch> batches = captured.batches();
        assertTrue(batches.stream().anyMatch(batch -> batch.dropped() != null && batch.dropped() > 0),
                "the first batch after the outage reports what was dropped");
        assertEquals(Boolean.TRUE, RestAssured.get("/exodus/migration").then().extract()
                .path("analyzer.capture.analyzerReachable"));
    }

    @Test
    void statementsCarryTheSettingsTheirSessionGaveAtStartUpAndWithSet() throws SQLException {
        CapturedEvents captured = new CapturedEvents(intake);
        try (Connection connection = connect("extended")) {
            Statement sql = connection.createStatement();
            sql.execute("set search_path = pg_catalog, public");
            sql.execute("select 'after the set' as settings_set");
            connection.setAutoCommit(false);
            sql.execute("set local timezone = 'Asia/Tokyo'");
            sql.execute("select 'inside' as settings_local");
            connection.rollback();
            connection.setAutoCommit(true);
            sql.execute("select 'after the rollback' as settings_after");
        }
        Map<String, String> afterSet = captured.await(event -> event.text().equals("select $1 as settings_set"), 1,
                WAIT).get(0).settings();
        // pgJDBC gives the JVM's time zone and ISO dates in its start-up packet.
        assertEquals("ISO", afterSet.get("datestyle"), afterSet.toString());
        String startupZone = afterSet.get("timezone");
        assertTrue(startupZone != null && !startupZone.equals("Asia/Tokyo"), afterSet.toString());
        assertEquals("pg_catalog, public", afterSet.get("search_path"));
        assertEquals("Asia/Tokyo", captured.await(event -> event.text().equals("select $1 as settings_local"), 1,
                WAIT).get(0).settings().get("timezone"));
        Map<String, String> afterRollback = captured.await(event -> event.text().equals(
                "select $1 as settings_after"), 1, WAIT).get(0).settings();
        assertEquals(startupZone, afterRollback.get("timezone"), "SET LOCAL ends with its transaction");
        assertEquals("pg_catalog, public", afterRollback.get("search_path"));
    }

    @Test
    void eachSessionHasItsOwnNumber() throws SQLException {
        CapturedEvents captured = new CapturedEvents(intake);
        for (int i = 0; i < 3; i++) {
            try (Connection connection = connect("simple")) {
                connection.createStatement().execute("select 'session numbering' as numbered");
            }
        }
        Set<Long> sessions = captured.await(event -> event.text().equals("select $1 as numbered"), 3, WAIT).stream()
                .map(StatementEvent::sessionId).collect(Collectors.toSet());
        assertEquals(3, sessions.size());
    }

    private static long droppedBecauseUnavailable() {
        Number dropped = RestAssured.get("/exodus/migration").then().statusCode(200).extract()
                .path("analyzer.capture.dropped.analyzer-unavailable");
        return dropped == null ? 0 : dropped.longValue();
    }
}
