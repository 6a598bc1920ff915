package io.exodus.proxy.verify;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A repair that meets a lock held longer than {@code exodus.verify.repair-lock-timeout} (1 s here): a row of a keyed
 * table, or any row of a table without a key, held on the primary (the source, in dual-write) by a client's open
 * transaction, or the row held on the repaired side. That table's repair fails with SQLSTATE 55P03 and says which
 * setting to look at, nothing of it is changed, no lock of the repair stays behind, and the repair succeeds once the
 * client lets go.
 */
@QuarkusTest
@TestProfile(ShortRepairLockProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepairLockTimeoutTest {
    private static final String DATABASE = "verify_repair_lock";
    private static final String TABLES = "{\"tables\": [\"accounts\", \"bag\"]}";
    /** Locks on the repaired tables held by another session than the current one. */
    private static final String OTHERS_LOCKS = "select count(*) from pg_locks l join pg_class c on c.oid = l.relation "
            + "where c.relname in ('accounts', 'bag') and l.pid <> pg_backend_pid()";
    private static VerifiedDatabase database;

    @BeforeAll
    static void createTables() throws SQLException {
        database = VerifiedDatabase.createdAfresh(DATABASE);
        database.onBoth("create table accounts (id int primary key, balance int not null)",
                "insert into accounts select g, 100 from generate_series(1, 1000) g",
                "create table bag (v int, w text)",
                "insert into bag select g % 100, 'w' || (g % 7) from generate_series(1, 1000) g");
        VerifiedDatabase.run(database.target(), "update accounts set balance = -1 where id = 42");
        VerifiedDatabase.run(database.target(), "insert into bag values (42, 'only here')");
    }

    @Test
    @Order(1)
    void rowsHeldOnThePrimaryFailTheRepairOfTheirTableAndChangeNothing() throws Exception {
        verifyDiffers();
        JsonPath repaired;
        long took;
        try (Connection client = database.source().openJdbc(); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("select * from accounts where id = 42 for update");
            // Any write to a table without a key holds it against the repair's SHARE lock.
            statement.execute("update bag set v = v where ctid = (select min(ctid) from bag)");
            long started = System.nanoTime();
            repaired = repair();
            took = (System.nanoTime() - started) / 1_000_000;
            assertEquals(0L, count(database.source(), OTHERS_LOCKS + " and l.pid <> " + pid(client)),
                    "the repair's locks on the source are gone");
            client.rollback();
        }
        for (int table = 0; table < 2; table++) {
            assertLockTimedOut(repaired, table);
        }
        assertTrue(took >= 2_000, "each table waited its second for the lock: " + took + " ms");
        assertNothingChanged();
    }

    @Test
    @Order(2)
    void aRowHeldOnTheRepairedSideFailsTheRepairAndReleasesThePrimarysRow() throws Exception {
        verifyDiffers();
        JsonPath repaired;
        try (Connection client = database.target().openJdbc(); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("select * from accounts where id = 42 for update");
            repaired = given().header("Authorization", VerificationApi.BEARER).body("{\"tables\": [\"accounts\"]}")
                    .post("/exodus/migration/repair").then().statusCode(200).extract().jsonPath();
            assertEquals(0L, count(database.target(), OTHERS_LOCKS + " and l.pid <> " + pid(client)),
                    "the repair's locks on the target are gone");
            client.rollback();
        }
        assertLockTimedOut(repaired, 0);
        // The primary's row, locked before the repaired side's, is free again: taken at once.
        try (Connection other = database.source().openJdbc(); Statement statement = other.createStatement()) {
            statement.execute("set lock_timeout = '100ms'");
            other.setAutoCommit(false);
            statement.execute("select * from accounts where id = 42 for update");
            other.rollback();
        }
        assertNothingChanged();

        // Let go: the same repair goes through.
        JsonPath done = repair();
        assertEquals("done", done.getString("state"), done.prettify());
        JsonPath again = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", " + TABLES.substring(1));
        assertTrue(again.getBoolean("identical"), again.prettify());
    }

    private static void verifyDiffers() throws InterruptedException {
        JsonPath verified = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", " + TABLES.substring(1));
        assertEquals(1, verified.getLong("tables[0].different"), verified.prettify());
        assertEquals(1, verified.getLong("tables[1].extra"), verified.prettify());
    }

    private static JsonPath repair() {
        return given().header("Authorization", VerificationApi.BEARER).body(TABLES).post("/exodus/migration/repair")
                .then().statusCode(200).extract().jsonPath();
    }

    private static void assertLockTimedOut(JsonPath repaired, int table) {
        String at = "tables[" + table + "]";
        assertEquals("failed", repaired.getString("state"), repaired.prettify());
        assertEquals("failed", repaired.getString(at + ".state"), repaired.prettify());
        assertEquals("55P03", repaired.getString(at + ".sqlState"), repaired.prettify());
        assertTrue(repaired.getString(at + ".error").contains("locked longer than exodus.verify.repair-lock-timeout "
                + "(1000 ms): repair it again"), repaired.prettify());
        assertEquals(0, repaired.getLong(at + ".inserted") + repaired.getLong(at + ".updated")
                + repaired.getLong(at + ".deleted"), repaired.prettify());
    }

    private static void assertNothingChanged() throws SQLException {
        assertEquals("-1", VerifiedDatabase.value(database.target(), "select balance from accounts where id = 42"));
        assertEquals("1", VerifiedDatabase.value(database.target(), "select count(*) from bag where w = 'only here'"));
    }

    private static long count(ConnectionTarget on, String query) throws SQLException {
        return Long.parseLong(VerifiedDatabase.value(on, query));
    }

    private static int pid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                var rows = statement.executeQuery("select pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
