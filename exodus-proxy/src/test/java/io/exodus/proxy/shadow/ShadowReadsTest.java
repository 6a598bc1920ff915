package io.exodus.proxy.shadow;

import io.exodus.capture.ShadowMismatchEvent;
import io.exodus.capture.SqlNormalizer;
import io.exodus.proxy.capture.CapturedEvents;
import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strategy shadow: reads also run on the target and the answers are compared, while the client gets the source's
 * answer only. A row changed on the target behind the proxy's back, or a table the target lacks, shows as a
 * mismatch; identical databases show none, whatever the protocol and inside transactions as well.
 */
@QuarkusTest
@TestProfile(ShadowProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class ShadowReadsTest {
    private static final int ITEMS = 50;
    private static int databases;
    private String database;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    ShadowReads shadow;

    @ConfigProperty(name = "test.analyzer-intake")
    String intake;

    @BeforeEach
    void shadowRunOnAFreshDatabase() throws Exception {
        database = "shadow_" + ++databases;
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create table items (id int primary key, name text, qty int not null)");
        DualWriteDatabases.onBoth(database, "insert into items select g, 'item ' || g, g * 10 from generate_series(1, "
                + ITEMS + ") g");
        Response started = strategy("shadow");
        assertEquals(200, started.statusCode(), started.asString());
        assertEquals(List.of("shadow reads"), started.jsonPath().getList("steps"));
        assertTrue(shadow.active());
    }

    @AfterEach
    void stopAndCompare() throws Exception {
        Response stopped = strategy("none");
        assertEquals(200, stopped.statusCode(), stopped.asString());
        assertEquals("stopped", stopped.jsonPath().getString("state"));
        assertTrue(!shadow.active(), "a stopped run shadows no more reads");
        DualWriteDatabases.assertIdentical(database, "items");
    }

    @Test
    void identicalDatabasesGiveNoMismatchOverEveryKindOfRead() throws Exception {
        long compared = shadow.compared();
        long mismatches = shadow.mismatches();
        int reads = 0;
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            assertEquals(ITEMS, count(statement, "select count(*) from items"));
            assertEquals(ITEMS, rows(statement, "select * from items order by id desc"));
            assertEquals(ITEMS, rows(statement, "select name, qty from items"));
            reads += 3;
            try (PreparedStatement prepared = client.prepareStatement("select * from items where id <= ? order by id")) {
                // pgJDBC names the statement after a few runs: the target parses it before its first Bind there.
                for (int i = 1; i <= 7; i++) {
                    prepared.setInt(1, i * 5);
                    assertEquals(i * 5, rows(prepared.executeQuery()));
                    reads++;
                }
            }
            assertEquals(1, count(statement, "select 1 where now() > '2000-01-01'"), "volatile: not compared");
            client.setAutoCommit(false);
            assertEquals(ITEMS, count(statement, "select count(*) from items"), "a read opening a transaction");
            statement.execute("insert into items values (1000, 'new', 1)");
            reads++;
            awaitCompared(compared + reads);
            // Its own write is seen on the target too, or the counts would differ.
            assertEquals(ITEMS + 1, count(statement, "select count(*) from items"));
            reads++;
            awaitCompared(compared + reads);
            // A fetch size makes pgJDBC read through a portal: its first request is compared, the fetches after it
            // (of a portal that request bound) are not.
            statement.setFetchSize(10);
            assertEquals(ITEMS + 1, rows(statement, "select * from items"));
            statement.setFetchSize(0);
            reads++;
            awaitCompared(compared + reads);
            client.commit();
            client.setAutoCommit(true);
        }
        try (Connection simple = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "preferQueryMode", "simple"); Statement statement = simple.createStatement()) {
            assertEquals(ITEMS + 1, rows(statement, "select * from items"));
            assertTrue(statement.execute("select id from items where id < 3; select count(*) from items"));
            reads += 2;
            simple.setAutoCommit(false);
            statement.execute("update items set qty = qty + 1 where id = 1");
            assertEquals(11, count(statement, "select qty from items where id = 1"), "simple, in a writing transaction");
            reads++;
            simple.commit();
        }
        awaitCompared(compared + reads);
        assertEquals(mismatches, shadow.mismatches(), () -> "mismatches: " + shadow.status().recent());
        JsonPath status = migrationStatus();
        assertTrue(status.getLong("shadow.compared") >= compared + reads, status.prettify());
        assertTrue(status.getBoolean("shadow.active"));
        assertTrue(status.getLong("shadow.skipped") >= 1, "now() is not compared: " + status.prettify());
    }

    @Test
    void aRowChangedOnTheTargetIsReportedWithItsFingerprintWhileTheClientGetsTheSourcesAnswer() throws Exception {
        try (Connection target = DualWriteDatabases.target(database).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute("update items set qty = 999 where id = 7");
        }
        long mismatches = shadow.mismatches();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            assertEquals(70, count(statement, "select qty from items where id = 7"), "the source's answer");
        }
        ShadowMismatch found = awaitMismatch(mismatches);
        assertEquals("rows", found.kind());
        assertEquals("select qty from items where id = 7", found.fingerprint());
        assertEquals(1, found.sourceRows());
        assertEquals(1, found.targetRows());
        Map<String, Object> listed = migrationStatus().getMap("shadow.recent[0]");
        assertEquals("select qty from items where id = 7", listed.get("fingerprint"));
        assertEquals("rows", listed.get("kind"));
        // Shipped to the analyzer with the captured statements, normalised: the literal stays in the proxy.
        ShadowMismatchEvent shipped = new CapturedEvents(intake).awaitMismatches(event -> event.text().equals(
                "select qty from items where id = $1"), 1, Duration.ofSeconds(20)).get(0);
        assertEquals("rows", shipped.kind());
        assertEquals(SqlNormalizer.fingerprint("select qty from items where id = 7"), shipped.fingerprint());
        assertEquals(1L, shipped.sourceRows());
        try (Connection target = DualWriteDatabases.target(database).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute("update items set qty = 70 where id = 7");
        }
    }

    @Test
    void aReadThatFailsOnTheTargetOnlyIsReportedAndTheClientGetsNoErrorEvenInAWritingTransaction() throws Exception {
        try (Connection source = DualWriteDatabases.source(database).openJdbc();
                Statement statement = source.createStatement()) {
            statement.execute("create table only_on_source (id int)");
            statement.execute("insert into only_on_source values (1), (2)");
        }
        long mismatches = shadow.mismatches();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            assertEquals(2, count(statement, "select count(*) from only_on_source"));
            ShadowMismatch found = awaitMismatch(mismatches);
            assertEquals("error", found.kind());
            assertNull(found.sourceSqlState());
            assertEquals("42P01", found.targetSqlState());
            // The failure stays in its savepoint: the target's transaction goes on and commits the writes around it.
            client.setAutoCommit(false);
            statement.execute("insert into items values (2000, 'before', 1)");
            assertEquals(2, count(statement, "select count(*) from only_on_source"));
            statement.execute("insert into items values (2001, 'after', 1)");
            client.commit();
            awaitMismatch(mismatches + 1);
        }
        try (Connection target = DualWriteDatabases.target(database).openJdbc();
                Statement statement = target.createStatement()) {
            assertEquals(2, count(statement, "select count(*) from items where id >= 2000"));
        }
    }

    @Test
    void aReadTheTargetCannotAnswerInTimeCountsAsAnErrorAndDoesNotDelayTheClient() throws Exception {
        long mismatches = shadow.mismatches();
        try (Connection locker = DualWriteDatabases.target(database).openJdbc();
                Statement lock = locker.createStatement();
                Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            locker.setAutoCommit(false);
            lock.execute("lock table items in access exclusive mode");
            long started = System.nanoTime();
            assertEquals(ITEMS, count(statement, "select count(*) from items"));
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(millis < ShadowProfile.TIMEOUT_MILLIS, "the client waited " + millis + " ms");
            ShadowMismatch found = awaitMismatch(mismatches);
            assertEquals("error", found.kind());
            assertEquals("57014", found.targetSqlState(), "the statement timeout on the target");
            locker.rollback();
            // The session's connection to the target is usable again: a write goes to both.
            statement.execute("update items set qty = 0 where id = 1");
        }
    }

    private void awaitCompared(long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (shadow.compared() < atLeast) {
            assertTrue(System.nanoTime() < deadline, "compared " + shadow.compared() + " of " + atLeast + " reads: "
                    + shadow.status());
            Thread.sleep(20);
        }
    }

    private ShadowMismatch awaitMismatch(long before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (shadow.mismatches() <= before) {
            assertTrue(System.nanoTime() < deadline, "no mismatch: " + shadow.status());
            Thread.sleep(20);
        }
        return shadow.status().recent().get(0);
    }

    private static int count(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            assertTrue(rows.next());
            return rows.getInt(1);
        }
    }

    private static int rows(Statement statement, String sql) throws SQLException {
        return rows(statement.executeQuery(sql));
    }

    private static int rows(ResultSet rows) throws SQLException {
        try (rows) {
            List<Object> read = new ArrayList<>();
            while (rows.next()) {
                read.add(rows.getObject(1));
            }
            return read.size();
        }
    }

    private static JsonPath migrationStatus() {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").jsonPath();
    }

    private static Response strategy(String name) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .header("X-Exodus-Actor", "shadow test").contentType("application/json")
                .body("{\"strategy\": \"" + name + "\"}").put("/exodus/migration/strategy");
    }
}
