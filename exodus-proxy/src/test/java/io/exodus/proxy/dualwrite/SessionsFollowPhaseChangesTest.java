package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The phase changes while sessions are open (PUT /exodus/migration/phase): a session follows between two of its
 * transactions, with what it set up on the source (settings, prepared statements) set up for the new phase, so that
 * its next write lands on the target exactly as on the source.
 */
@QuarkusTest
@TestProfile(PhaseChangeProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class SessionsFollowPhaseChangesTest {
    /** One database per test: the catch-up queue's table, once made, is taken to stay (nobody drops a database). */
    private static int databases;
    private String database;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeEach
    void freshDatabase() throws Exception {
        changePhase("direct");
        database = "phase_follow_" + ++databases;
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create schema app");
        // The same name in public: a session whose search_path the target lost would write there, silently.
        DualWriteDatabases.onBoth(database, "create table app.items (id bigserial primary key, v text, at timestamptz)");
        DualWriteDatabases.onBoth(database, "create table public.items (id bigserial primary key, v text, at timestamptz)");
    }

    @AfterEach
    void backToDirect() {
        changePhase("direct");
    }

    @Test
    void anOpenDriverSessionFollowsIntoDualWriteWithItsSettingsAndPreparedStatements() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "prepareThreshold", "1");
                Statement statement = client.createStatement()) {
            statement.execute("set search_path = app, public");
            statement.execute("set timezone = 'Pacific/Auckland'");
            PreparedStatement insert = client.prepareStatement("insert into items (v, at) values (?, ?::timestamptz)");
            // In phase direct: the source alone, its sequence moves on; the row goes again, the sequence does not.
            insert.setString(1, "before");
            insert.setString(2, "2026-01-01 12:00");
            insert.executeUpdate();
            statement.execute("delete from items");

            changePhase("dual-write");

            for (int i = 0; i < 3; i++) {
                // The statement pgJDBC prepared in phase direct (S_1 …), bound again: no Parse goes by.
                insert.setString(1, "after " + i);
                insert.setString(2, "2026-01-01 12:00");
                assertEquals(1, insert.executeUpdate());
            }
            statement.execute("update items set v = v || '!' where v = 'after 1'");
        }
        // Generated ids as the source drew them (2, 3, 4), in the schema the session's search_path names, and times
        // read in the session's time zone: only what the target was given makes it so.
        DualWriteDatabases.assertIdentical(database, "app.items");
        DualWriteDatabases.assertIdentical(database, "public.items");
        assertEquals("2,3,4", Psql.against(DualWriteDatabases.target(database))
                .query("select string_agg(id::text, ',' order by id) from app.items"));
        assertEquals("0", Psql.against(DualWriteDatabases.target(database)).query("select count(*) from public.items"));
    }

    /**
     * A setting of the application's own, set in phase direct, which a function of the database reads: the target's
     * connection of the adopted session gets it, found through the function that names it (pg_settings does not list
     * it). The UPDATE runs as its text on each database.
     */
    @Test
    void anAdoptedSessionKeepsItsCustomSettingsOnTheTarget() throws Exception {
        DualWriteDatabases.onBoth(database, "create table app.owned (id int primary key, tenant text)");
        DualWriteDatabases.onBoth(database, "insert into app.owned values (1, 'before')");
        DualWriteDatabases.onBoth(database, "create function app.current_tenant() returns text stable language sql "
                + "as $$ select current_setting('app.tenant', true) $$");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.execute("set app.tenant = 'acme'");
            changePhase("dual-write");
            statement.execute("update app.owned set tenant = app.current_tenant() where id = 1");
        }
        assertEquals("acme", Psql.against(DualWriteDatabases.target(database))
                .query("select coalesce(tenant, 'null') from app.owned"));
        DualWriteDatabases.assertIdentical(database, "app.owned");
    }

    /**
     * A setting of the application's own, set in phase direct and read only by the application's statements (no
     * function, default or policy of the database names it): Exodus learns its name when a statement first reads it,
     * and carries the value to the target before the statement runs there; inside a transaction too, where a rollback
     * would take it back on the target, so it is carried again after the transaction.
     */
    @Test
    void anAdoptedSessionCarriesACustomSettingItsStatementsReadOnlyAfterAdoption() throws Exception {
        DualWriteDatabases.onBoth(database, "create table app.stamped (id int primary key, tenant text, region text)");
        DualWriteDatabases.onBoth(database, "insert into app.stamped (id) values (1), (2), (3)");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.execute("set app.request_tenant = 'acmé ✓'");
            statement.execute("select set_config('app.request_region', 'eu', false)");
            changePhase("dual-write");
            // An UPDATE that draws nothing runs as its text on each database.
            statement.execute("update app.stamped set tenant = current_setting('app.request_tenant', true) "
                    + "where id = 1");
            client.setAutoCommit(false);
            statement.execute("update app.stamped set region = 'x' where id = 2");
            // Carried inside the transaction, which the rollback takes back on the target.
            statement.execute("update app.stamped set region = current_setting('app.request_region', true) "
                    + "where id = 2");
            client.rollback();
            statement.execute("update app.stamped set region = current_setting('app.request_region', true) "
                    + "where id = 3");
            client.commit();
        }
        assertEquals("1 acmé ✓ null,2 null null,3 null eu", Psql.against(DualWriteDatabases.target(database))
                .query("select string_agg(concat_ws(' ', id, coalesce(tenant, 'null'), coalesce(region, 'null')), ','"
                        + " order by id) from app.stamped"));
        DualWriteDatabases.assertIdentical(database, "app.stamped");
    }

    /**
     * As above, with the first statement that reads the setting in an extended batch whose Flush sends it to the
     * primary ahead of its Sync: the value is carried before the primary runs any of the batch, since once part of it
     * is in, the primary can take no query until the Sync.
     */
    @Test
    void anAdoptedSessionCarriesACustomSettingFirstReadAheadOfTheSync() throws Exception {
        DualWriteDatabases.onBoth(database, "create table app.flushed (id int primary key, tenant text)");
        DualWriteDatabases.onBoth(database, "insert into app.flushed values (1, null)");
        DualWriteDatabases.onBoth(database, "grant usage on schema app to " + TestUsers.MD5_USER);
        DualWriteDatabases.onBoth(database, "grant all on app.flushed to " + TestUsers.MD5_USER);
        try (RawPgConnection client = new RawPgConnection("127.0.0.1", port)) {
            client.readTimeout(20_000);
            client.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, database);
            client.send(RawPgConnection.query("set app.flushed_tenant = 'acme'"));
            assertEquals('Z', readUntilReady(client));
            changePhase("dual-write");
            String update = "update app.flushed set tenant = current_setting('app.flushed_tenant', true) where id = 1";
            client.send(FrontendMessages.parse("", update, new int[0])
                    .appendBuffer(FrontendMessages.bind("", "", new short[0], List.of(), new short[0]))
                    .appendBuffer(FrontendMessages.execute("", 0)).appendBuffer(FrontendMessages.flush()).getBytes());
            assertEquals(List.of('1', '2', 'C'), List.of(client.read().type(), client.read().type(),
                    client.read().type()), "answered ahead of the Sync");
            client.send(FrontendMessages.sync().getBytes());
            assertEquals('Z', readUntilReady(client));
        }
        assertEquals("acme", Psql.against(DualWriteDatabases.target(database))
                .query("select coalesce(tenant, 'null') from app.flushed"));
        DualWriteDatabases.assertIdentical(database, "app.flushed");
    }

    private static char readUntilReady(RawPgConnection client) throws Exception {
        RawPgConnection.Message message;
        do {
            message = client.read();
            if (message.type() == 'E') {
                throw new AssertionError("the proxy answered an error: " + message.fields());
            }
        } while (message.type() != 'Z');
        return message.type();
    }

    @Test
    void aSessionInATransactionFollowsOnlyOnceItEnds() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("insert into app.items (id, v) values (100, 'began in direct')");
            changePhase("dual-write");
            statement.execute("insert into app.items (id, v) values (101, 'same transaction')");
            client.commit();
            statement.execute("insert into app.items (id, v) values (102, 'next transaction')");
            client.commit();
        }
        assertEquals("100,101,102", Psql.against(DualWriteDatabases.source(database))
                .query("select string_agg(id::text, ',' order by id) from app.items"));
        assertEquals("102", Psql.against(DualWriteDatabases.target(database))
                .query("select string_agg(id::text, ',' order by id) from app.items"));
    }

    @Test
    void aSessionBackInPhaseDirectGetsItsStatementsAsItPreparedThem() throws Exception {
        changePhase("dual-write");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "prepareThreshold", "1")) {
            // In dual-write the source runs this INSERT with RETURNING * (the target gets the row's values).
            PreparedStatement insert = client.prepareStatement("insert into app.items (v) values (?)");
            insert.setString(1, "dual");
            assertEquals(1, insert.executeUpdate());

            changePhase("direct");

            insert.setString(1, "direct");
            assertEquals(1, insert.executeUpdate(), "the statement answers as the client prepared it, without rows");
            try (Statement statement = client.createStatement();
                    ResultSet rows = statement.executeQuery("select count(*) from app.items")) {
                rows.next();
                assertEquals(2, rows.getInt(1));
            }
        }
        assertEquals("dual", Psql.against(DualWriteDatabases.target(database))
                .query("select string_agg(v, ',') from app.items"));
    }

    @Test
    void aSessionWithATemporaryTableEndsWithAnExplanationInsteadOfWritingHalf() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.execute("create temp table scratch (id int)");
            changePhase("dual-write");
            SQLException refused = assertThrows(SQLException.class,
                    () -> statement.execute("insert into app.items (v) values ('x')"));
            assertEquals("57P01", refused.getSQLState());
            assertTrue(refused.getMessage().contains("temporary table scratch"), refused.getMessage());
        }
        assertEquals("0", Psql.against(DualWriteDatabases.source(database)).query("select count(*) from app.items"),
                "nothing ran half");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.execute("insert into app.items (v) values ('new session')");
        }
        DualWriteDatabases.assertIdentical(database, "app.items");
    }

    /**
     * The target's database gives sessions another time zone at login than the source's (pg_dump does not copy
     * ALTER DATABASE … SET): in dual-write a timestamp literal a statement carries would be another instant there.
     * Refused, naming the statement that mends it; once it ran on the target, the phase changes.
     */
    @Test
    void dualWriteIsRefusedWhileTheTargetsDatabaseGivesSessionsOtherLoginSettings() throws Exception {
        Psql.against(DualWriteDatabases.source(database)).query("alter database " + database
                + " set timezone = 'Asia/Tokyo'");
        // A setting of the application's own, which row-level security would read.
        Psql.against(DualWriteDatabases.source(database)).query("alter database " + database
                + " set app.region = 'eu'");
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"phase\": \"dual-write\"}").put("/exodus/migration/phase").then().statusCode(409)
                .body("error", containsString("database " + database + ": timezone is 'Asia/Tokyo' on the source, "
                        + "unset on the target (ALTER DATABASE \"" + database + "\" SET timezone = 'Asia/Tokyo')"))
                .body("error", containsString("database " + database + ": app.region is 'eu' on the source, "
                        + "unset on the target (ALTER DATABASE \"" + database + "\" SET app.region = 'eu')"));
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                .body("phase", equalTo("direct"));
        Psql.against(DualWriteDatabases.target(database)).query("alter database " + database
                + " set timezone = 'Asia/Tokyo'");
        Psql.against(DualWriteDatabases.target(database)).query("alter database " + database
                + " set app.region = 'eu'");
        changePhase("dual-write");
    }

    @Test
    void changesNeedTheTokenAndAKnownPhase() {
        given().contentType("application/json").body("{\"phase\": \"dual-write\"}").put("/exodus/migration/phase")
                .then().statusCode(401);
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"phase\": \"sideways\"}").put("/exodus/migration/phase").then().statusCode(400);
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                .body("phase", equalTo("direct"));
    }

    private static void changePhase(String phase) {
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"phase\": \"" + phase + "\"}").put("/exodus/migration/phase").then().statusCode(200)
                .body("phase", equalTo(phase));
    }
}
