package io.exodus.proxy.cutover;

import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.session.SessionRegistry;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transaction still open when the cutover's wait runs out (exodus.migration.cutover.timeout, 2 s here): with
 * {@code cancel} it is ended (its session closed with 57P01, rolled back on both databases) and the cutover goes on;
 * a request in flight is answered first and never cut; with {@code wait} the cutover waits for it; an unknown choice is
 * refused. Calling the cutover off ({@code abort}, the default) is {@code CutoverAndRollbackTest}'s.
 */
@QuarkusTest
@TestProfile(CutoverProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class LongTransactionsTest {
    private static int databases;
    private String database;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    SessionRegistry sessions;

    @BeforeEach
    void freshDatabase() throws Exception {
        // A cutover looks through every database: those of earlier tests would make each slower than the last.
        TestDatabases.dropDatabasesOfOtherTests();
        database = "long_transactions_" + ++databases;
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create table events (id int primary key, note text)");
    }

    @AfterEach
    void backToDualWrite() throws Exception {
        migration.changePhase(MigrationPhase.DUAL_WRITE);
        DualWriteDatabases.assertIdentical(database, "events");
    }

    @Test
    void cancelEndsATransactionIdleAtTheTimeoutAndTheCutoverGoesOn() throws Exception {
        try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = open.createStatement()) {
            open.setAutoCommit(false);
            statement.execute("insert into events values (1, 'open through the cutover')");
            Response cutover = post("cutover", "{\"longTransactions\": \"cancel\"}");
            assertEquals(200, cutover.statusCode(), cutover.asString());
            assertTrue(cutover.jsonPath().getLong("pauseMs") >= 2000, cutover.asString());
            assertEquals(MigrationPhase.CUTOVER, migration.phase());
            SQLException ended = assertThrows(SQLException.class,
                    () -> statement.execute("insert into events values (2, 'same transaction')"));
            assertTrue("57P01".equals(ended.getSQLState()) || ended.getSQLState().startsWith("08"),
                    ended.getSQLState() + " " + ended.getMessage());
        }
        assertEquals("0", count(DualWriteDatabases.source(database)), "rolled back on the source");
        assertEquals("0", count(DualWriteDatabases.target(database)), "rolled back on the target");
        try (Connection next = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = next.createStatement()) {
            statement.execute("insert into events values (1, 'run again after the cutover')");
        }
        assertEquals("1", count(DualWriteDatabases.source(database)));
    }

    @Test
    void cancelLetsARequestInFlightBeAnsweredThenEndsItsTransaction() throws Exception {
        try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = open.createStatement()) {
            open.setAutoCommit(false);
            statement.execute("insert into events values (1, 'open through the cutover')");
            CompletableFuture<Response> cutover = CompletableFuture.supplyAsync(
                    () -> post("cutover", "{\"longTransactions\": \"cancel\"}"));
            awaitPaused();
            // Still running when the wait runs out, 2 s into the pause: answered, not cancelled; the session is
            // closed after it.
            assertTrue(statement.execute("select pg_sleep(3)"), "the statement in flight was answered");
            Response done = cutover.get(10, TimeUnit.SECONDS);
            assertEquals(200, done.statusCode(), done.asString());
            assertTrue(done.jsonPath().getLong("pauseMs") >= 3000, done.asString());
            assertThrows(SQLException.class, () -> statement.execute("insert into events values (2, 'more')"));
        }
        assertEquals("0", count(DualWriteDatabases.source(database)));
        assertEquals("0", count(DualWriteDatabases.target(database)));
    }

    @Test
    void waitWaitsForTheTransactionAndItsWritesReachBothDatabases() throws Exception {
        try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = open.createStatement()) {
            open.setAutoCommit(false);
            statement.execute("insert into events values (1, 'open through the cutover')");
            CompletableFuture<Response> cutover = CompletableFuture.supplyAsync(
                    () -> post("cutover", "{\"longTransactions\": \"wait\"}"));
            awaitPaused();
            Thread.sleep(3000);
            assertFalse(cutover.isDone(), "the cutover waits past the timeout");
            statement.execute("insert into events values (2, 'same transaction, after the timeout')");
            open.commit();
            Response done = cutover.get(10, TimeUnit.SECONDS);
            assertEquals(200, done.statusCode(), done.asString());
            assertTrue(done.jsonPath().getLong("pauseMs") >= 3000, done.asString());
        }
        assertEquals(MigrationPhase.CUTOVER, migration.phase());
        assertEquals("2", count(DualWriteDatabases.source(database)));
        assertEquals("2", count(DualWriteDatabases.target(database)));
    }

    @Test
    void aChoiceThatIsNoneIsRefusedAndNothingChanges() {
        Response refused = post("cutover", "{\"longTransactions\": \"kill\"}");
        assertEquals(400, refused.statusCode(), refused.asString());
        assertTrue(refused.asString().contains("abort, cancel, wait"), refused.asString());
        assertEquals(MigrationPhase.DUAL_WRITE, migration.phase());
    }

    private void awaitPaused() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!sessions.paused()) {
            assertTrue(System.nanoTime() < deadline, "the cutover pauses new transactions");
            Thread.sleep(20);
        }
    }

    private static String count(io.exodus.testsupport.ConnectionTarget side) {
        return Psql.against(side).query("select count(*) from events");
    }

    private static Response post(String step, String body) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .header("X-Exodus-Actor", "long transactions test").contentType("application/json")
                .body(body).post("/exodus/migration/" + step);
    }
}
