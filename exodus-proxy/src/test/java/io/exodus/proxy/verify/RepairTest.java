package io.exodus.proxy.verify;

import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Repair against the shared source and target servers, in dual-write (the source is authoritative): rows changed,
 * deleted and inserted on the target behind Exodus' back are reported by key, copied again from the source (identity
 * and generated columns included), and the next verification finds the databases identical; a row set right by hand
 * in between is left alone; a relative update through the proxy that holds the primary's row while the repair starts
 * is applied once on each side.
 */
@QuarkusTest
@TestProfile(RepairProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepairTest {
    private static final String DATABASE = "verify_repair";
    private static final String BEARER = VerificationApi.BEARER;
    private static VerifiedDatabase database;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createTables() throws SQLException {
        database = VerifiedDatabase.createdAfresh(DATABASE);
        // Timestamps print in another zone on the target by default: the copied values must not care.
        run(target(), "alter database " + DATABASE + " set timezone = 'Asia/Tokyo'");
        String[] both = {
                "create table accounts (id int generated always as identity primary key, balance numeric(12, 2), "
                        + "ratio float8, opened timestamptz, doc jsonb, tags text[], note text, "
                        + "doubled numeric generated always as (balance * 2) stored)",
                "insert into accounts (balance, ratio, opened, doc, tags, note) select g * 1.25, g / 7.0::float8, "
                        + "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', "
                        + "jsonb_build_object('g', g), array[g::text, 'x'], case when g % 10 = 0 then null "
                        + "else 'note ' || g end from generate_series(1, 5000) g",
                "create table pairs (a text, b int, v int, primary key (a, b))",
                "insert into pairs select 'k' || (g % 50), g, g from generate_series(1, 2000) g",
                "create table bag (v int, w text)",
                "insert into bag select g % 100, 'w' || (g % 7) from generate_series(1, 3000) g"};
        database.onBoth(both);
        run(target(), "update accounts set balance = -1, note = 'changed', tags = null where id = 1234");
        run(target(), "delete from accounts where id = 2500");
        run(target(), "insert into accounts (id, balance, note) overriding system value values (9001, 0, 'only here')");
        run(target(), "update accounts set note = 'set right by hand later' where id = 77");
        run(target(), "update pairs set v = -v where a = 'k7' and b = 1007");
        // Bag: one more copy of (42, 'w0') and one copy fewer of (1, 'w1') on the target.
        run(target(), "insert into bag values (42, 'w0')");
        run(target(), "delete from bag where ctid = (select min(ctid) from bag where v = 1 and w = 'w1')");
    }

    @Test
    @Order(1)
    void repairWithoutAVerificationSaysToVerifyFirst() {
        given().header("Authorization", BEARER).body("{\"tables\": [\"accounts\"]}").post("/exodus/migration/repair")
                .then().statusCode(409).body("error", containsString("verify the tables first"));
        given().header("Authorization", BEARER).get("/exodus/migration/repair").then().statusCode(404);
    }

    @Test
    @Order(2)
    void repairNeedsTheTokenAndNamedTables() throws Exception {
        given().body("{\"tables\": [\"accounts\"]}").post("/exodus/migration/repair").then().statusCode(401)
                .body("error", containsString("bearer token"));
        given().header("Authorization", "Bearer wrong").body("{\"tables\": [\"accounts\"]}")
                .post("/exodus/migration/repair").then().statusCode(401);
        given().get("/exodus/migration/repair").then().statusCode(401);
        given().header("Authorization", BEARER).body("{\"tables\": ").post("/exodus/migration/repair").then()
                .statusCode(400).body("error", containsString("must be JSON"));
        given().header("Authorization", BEARER).body("{}").post("/exodus/migration/repair").then()
                .statusCode(400).body("error", containsString("name the tables to repair"));

        VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"pairs\"]}");
        given().header("Authorization", BEARER).body("{\"tables\": [\"nope\"]}").post("/exodus/migration/repair")
                .then().statusCode(400).body("error", containsString("no table nope in database \"" + DATABASE));
        given().header("Authorization", BEARER).body("{\"tables\": [\"bag\"]}").post("/exodus/migration/repair")
                .then().statusCode(400).body("error", containsString("the last verification did not verify "
                        + "public.bag: verify it first"));
    }

    @Test
    @Order(3)
    void rowsChangedDeletedAndInsertedOnTheTargetAreCopiedAgainFromTheSource() throws Exception {
        JsonPath verified = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"accounts\", "
                + "\"pairs\", \"bag\"]}");
        assertEquals("done", verified.getString("state"), verified.prettify());
        assertFalse(verified.getBoolean("identical"));
        // In the order each database reads its rows: compared as sets.
        assertEquals(Set.of(
                Map.of("kind", "different", "key", Map.of("id", "77")),
                Map.of("kind", "different", "key", Map.of("id", "1234")),
                Map.of("kind", "missing", "key", Map.of("id", "2500")),
                Map.of("kind", "extra", "key", Map.of("id", "9001"))), Set.copyOf(verified.getList(table("accounts") + ".examples")),
                verified.prettify());
        // Tables found different before (pairs, in the verification before the failed repairs) are marked, and
        // verified first: the order of the answer is not the order asked.
        assertEquals(List.of(Map.of("kind", "different", "key", Map.of("a", "k7", "b", "1007"))),
                verified.getList(table("pairs") + ".examples"));
        assertEquals(1, verified.getLong(table("bag") + ".missing"), verified.prettify());
        assertEquals(1, verified.getLong(table("bag") + ".extra"), verified.prettify());

        // Set right between the verification and the repair: settled, not to be written.
        run(target(), "update accounts set note = 'note 77' where id = 77");

        JsonPath repaired = given().header("Authorization", BEARER)
                .body("{\"tables\": [\"accounts\", \"public.pairs\", \"bag\"]}").post("/exodus/migration/repair")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("done", repaired.getString("state"), repaired.prettify());
        assertEquals("source", repaired.getString("authoritative"));
        assertEquals("target", repaired.getString("repaired"));
        assertEquals(1, repaired.getLong(table("accounts") + ".inserted"), repaired.prettify());
        assertEquals(1, repaired.getLong(table("accounts") + ".updated"));
        assertEquals(1, repaired.getLong(table("accounts") + ".deleted"));
        assertEquals(1, repaired.getLong(table("accounts") + ".settled"));
        assertEquals(Set.of(
                Map.of("change", "updated", "key", Map.of("id", "1234")),
                Map.of("change", "inserted", "key", Map.of("id", "2500")),
                Map.of("change", "deleted", "key", Map.of("id", "9001"))), Set.copyOf(repaired.getList(table("accounts") + ".rows")),
                repaired.prettify());
        assertEquals(List.of(Map.of("change", "updated", "key", Map.of("a", "k7", "b", "1007"))),
                repaired.getList(table("pairs") + ".rows"));
        assertEquals(1, repaired.getLong(table("bag") + ".inserted"), repaired.prettify());
        assertEquals(1, repaired.getLong(table("bag") + ".deleted"));
        assertEquals(repaired.prettify(), given().header("Authorization", BEARER).get("/exodus/migration/repair")
                .then().statusCode(200).extract().jsonPath().prettify());

        assertEquals("note 77", value("select note from accounts where id = 77"), "a settled row is left alone");
        assertEquals("1542.50|3085.00|{1234,x}|2024-01-01 20:34:00+00",
                value("select balance || '|' || doubled || '|' || tags::text || '|' || (opened at time zone 'UTC') "
                        + "|| '+00' from accounts where id = 1234"), "copied, the generated column computed again");
        JsonPath again = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"accounts\", "
                + "\"pairs\", \"bag\"]}");
        assertEquals("done", again.getString("state"), again.prettify());
        assertTrue(again.getBoolean("identical"), again.prettify());
    }

    @Test
    @Order(4)
    void aRelativeUpdateHoldingThePrimarysRowIsAppliedOnceOnEachSide() throws Exception {
        run(target(), "update accounts set balance = 0 where id = 42");
        JsonPath verified = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"accounts\"]}");
        assertEquals(List.of(Map.of("kind", "different", "key", Map.of("id", "42"))),
                verified.getList("tables[0].examples"), verified.prettify());

        CompletableFuture<JsonPath> repair;
        String waitedOn;
        try (Connection client = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                DATABASE).openJdbc()) {
            client.setAutoCommit(false);
            // Dual-write: the source's row 42 is locked by this transaction (then the target's) until it commits.
            try (var statement = client.createStatement()) {
                statement.execute("update accounts set balance = balance + 1 where id = 42");
            }
            repair = CompletableFuture.supplyAsync(() -> given().header("Authorization", BEARER)
                    .body("{\"tables\": [\"accounts\"]}").post("/exodus/migration/repair").then().statusCode(200)
                    .extract().jsonPath());
            waitedOn = repairWaitingForALock(repair);
            assertFalse(repair.isDone(), "the repair waits for the client's transaction");
            client.commit();
        }
        JsonPath repaired = repair.get(30, TimeUnit.SECONDS);
        assertEquals("done", repaired.getString("state"), repaired.prettify());
        assertEquals("53.50", VerifiedDatabase.value(database.source(), "select balance from accounts where id = 42"));
        assertEquals("53.50", value("select balance from accounts where id = 42"),
                "the client's +1 once on the target too, after the repair copied the source's value");
        assertEquals("source", waitedOn, "the repair waits on the primary's row, where dual-write locks it first");
        JsonPath again = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"accounts\"]}");
        assertTrue(again.getBoolean("identical"), again.prettify());
    }

    /**
     * Tables catch-up marked divergent (here by hand, on the source as before a cutover and on the target as after
     * one) hold a cutover back until a verification finds them identical: one that finds a difference keeps the mark,
     * one after the repair clears it, on either side.
     */
    @Test
    @Order(5)
    void aVerificationThatFindsAMarkedTableIdenticalClearsItsMark() throws Exception {
        run(database.source(), CatchUpQueueSql.CREATE_QUEUE);
        run(target(), CatchUpQueueSql.CREATE_QUEUE);
        run(database.source(), "insert into exodus.divergent_tables (table_name, reason) values ('pairs', 'a test')");
        run(target(), "insert into exodus.divergent_tables (table_name, reason) values ('public.bag', 'a test')");
        run(target(), "update pairs set v = -v where a = 'k8' and b = 1008");
        String body = "{\"database\": \"" + DATABASE + "\", \"tables\": [\"pairs\", \"bag\"]}";

        JsonPath verified = VerificationApi.verify(body);
        assertEquals("a test", verified.getString("tables[0].divergentReason"), verified.prettify());
        assertEquals("a test", verified.getString("tables[1].divergentReason"), "marked on the target");
        assertEquals(1, verified.getLong("tables[0].different"), verified.prettify());
        assertEquals("1", VerifiedDatabase.value(database.source(), "select count(*) from exodus.divergent_tables"),
                "pairs differs: its mark stays");
        assertEquals("0", value("select count(*) from exodus.divergent_tables"), "bag is identical: cleared");

        given().header("Authorization", BEARER).body("{\"tables\": [\"pairs\"]}").post("/exodus/migration/repair")
                .then().statusCode(200);
        JsonPath again = VerificationApi.verify(body);
        assertTrue(again.getBoolean("identical"), again.prettify());
        assertEquals("0", VerifiedDatabase.value(database.source(), "select count(*) from exodus.divergent_tables"));
    }

    /** The path of one table's part of a verification's or repair's answer, by its name in schema public. */
    private static String table(String name) {
        return "tables.find { it.table == 'public." + name + "' }";
    }

    /** Which database has a repair's locking read of {@code accounts} waiting for a lock; polls up to 20 s. */
    private static String repairWaitingForALock(CompletableFuture<JsonPath> repair) throws Exception {
        String waiting = "select count(*) from pg_stat_activity where datname = '" + DATABASE + "' and "
                + "wait_event_type = 'Lock' and query ilike '%accounts%for %update%'";
        for (int i = 0; i < 200; i++) {
            if (!"0".equals(VerifiedDatabase.value(database.source(), waiting))) {
                return "source";
            }
            if (!"0".equals(value(waiting))) {
                return "target";
            }
            if (repair.isDone()) {
                throw new AssertionError("the repair did not wait for the client's transaction: "
                        + repair.get().prettify() + "; target: " + value("select balance from accounts where id = 42"));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no repair waited for the client's row lock");
    }

    private static String value(String query) throws SQLException {
        return VerifiedDatabase.value(target(), query);
    }

    private static ConnectionTarget target() {
        return database.target();
    }

    private static void run(ConnectionTarget on, String sql) throws SQLException {
        VerifiedDatabase.run(on, sql);
    }
}
