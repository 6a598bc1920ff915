package io.exodus.proxy.cutover;

import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bypass guard against real servers: a cutover makes the application's role read-only on the source for clients
 * that connect there directly while Exodus's own sessions of the same role go on writing there; a rollback gives the
 * role exactly the setting it had, whoever restores it and however often; and a write on the target by a client of
 * the role that did not come through Exodus is reported.
 */
@QuarkusTest
@TestProfile(BypassGuardProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class BypassGuardTest {
    private static final String DATABASE = "bypass_guard";
    private static final String OTHER_DATABASE = "bypass_guard_other";
    private static final String SETTING_OF_THE_ROLE = "select coalesce((select substr(c, strpos(c, '=') + 1) from "
            + "pg_db_role_setting s, unnest(s.setconfig) c where s.setrole = '" + TestUsers.SCRAM_USER + "'::regrole "
            + "and s.setdatabase = 0 and c like 'default_transaction_read_only=%'), 'none')";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    BypassGuard guard;

    /** Exodus logs in to both with the secret the client proved: the target must store the source's. */
    @BeforeAll
    static void sameScramSecretOnBothServers() {
        String secret = Psql.against(DualWriteDatabases.source("postgres")).query(
                "select rolpassword from pg_authid where rolname = '" + TestUsers.SCRAM_USER + "'");
        Psql.against(DualWriteDatabases.target("postgres")).query("alter role " + TestUsers.SCRAM_USER + " password '"
                + secret + "'");
    }

    @BeforeEach
    void freshDatabase() throws Exception {
        // A cutover looks through every database: those of earlier tests would make each slower than the last.
        TestDatabases.dropDatabasesOfOtherTests();
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table events (id int primary key, via text); "
                + "grant all on events to " + TestUsers.SCRAM_USER);
    }

    @AfterEach
    void guardLifted() throws Exception {
        await(guard.release());
        migration.changePhase(MigrationPhase.DUAL_WRITE);
        Psql.against(DualWriteDatabases.source(DATABASE)).query("alter role " + TestUsers.SCRAM_USER
                + " reset default_transaction_read_only");
    }

    @Test
    void aCutoverMakesTheRoleReadOnlyOnTheSourceForDirectClientsAndARollbackGivesItsSettingBack() throws Exception {
        assertEquals("none", settingOnTheSource());
        Response cutover = post("cutover");
        assertEquals(200, cutover.statusCode(), cutover.asString());
        assertTrue(cutover.asString().contains("\"bypassGuard\":\"set on " + TestUsers.SCRAM_USER + "\""),
                cutover.asString());
        assertEquals("on", settingOnTheSource());

        SQLException refused = assertThrows(SQLException.class, () -> insert(direct(TestDatabases.source().port()), 1));
        assertEquals("25006", refused.getSQLState(), "read_only_sql_transaction: " + refused.getMessage());
        insert(ConnectionTarget.local(port, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD, DATABASE), 2);
        assertEquals("1", Psql.against(DualWriteDatabases.source(DATABASE)).query(
                "select count(*) from events where id = 2"), "Exodus's own session of the role wrote to the source");

        Response rollback = post("rollback");
        assertEquals(200, rollback.statusCode(), rollback.asString());
        assertTrue(rollback.asString().contains("\"bypassGuard\":\"lifted\""), rollback.asString());
        assertEquals("none", settingOnTheSource(), "no setting, as before the cutover");
        insert(direct(TestDatabases.source().port()), 3);
    }

    /**
     * The role had a setting of its own: that one comes back, not none. A second guard keeps the first record (it
     * would otherwise take the guard's own "on" for the role's), and a proxy that stopped between lifting and the
     * rollback's switch (simulated: the record is left, the source is the primary) lifts it when it starts again.
     * Lifting twice changes nothing.
     */
    @Test
    void theRolesOwnSettingComesBackOnceWhoeverLiftsTheGuard() throws Exception {
        Psql.against(DualWriteDatabases.source(DATABASE)).query("alter role " + TestUsers.SCRAM_USER
                + " set default_transaction_read_only = off");
        await(guard.engage());
        await(guard.engage());
        assertEquals("on", settingOnTheSource());

        guard.onStart(null);

        assertEquals("off", settingOnTheSource(), "the role's own setting, recorded before the first guard");
        await(guard.release());
        assertEquals("off", settingOnTheSource());
    }

    /**
     * A migration of one database guards the role in that one: a direct client of the role is refused there and
     * writes to the application's other database as before, and the rollback gives back the role's own setting for
     * that database, which the guard replaced.
     */
    @Test
    void aMigrationOfSomeDatabasesGuardsTheRoleInThoseOnly() throws Exception {
        DualWriteDatabases.recreate(OTHER_DATABASE);
        Psql.against(DualWriteDatabases.source(OTHER_DATABASE)).query("create table events (id int primary key, "
                + "via text); grant all on events to " + TestUsers.SCRAM_USER);
        Psql.against(DualWriteDatabases.source(DATABASE)).query("alter role " + TestUsers.SCRAM_USER
                + " in database " + DATABASE + " set default_transaction_read_only = off");
        migration.changeDatabases(MigrationDatabases.of(List.of(DATABASE)));
        try {
            Response cutover = post("cutover");
            assertEquals(200, cutover.statusCode(), cutover.asString());
            assertEquals("on", settingOnTheSource(DATABASE));
            assertEquals("none", settingOnTheSource(), "the role's setting for every database is left alone");

            SQLException refused = assertThrows(SQLException.class,
                    () -> insert(direct(TestDatabases.source().port(), DATABASE), 1));
            assertEquals("25006", refused.getSQLState(), "read_only_sql_transaction: " + refused.getMessage());
            insert(direct(TestDatabases.source().port(), OTHER_DATABASE), 1);

            Response rollback = post("rollback");
            assertEquals(200, rollback.statusCode(), rollback.asString());
            assertEquals("off", settingOnTheSource(DATABASE), "the role's own setting for the database, as before");
            assertEquals("none", settingOnTheSource());
        } finally {
            migration.changeDatabases(MigrationDatabases.ALL);
        }
    }

    @Test
    void aWriteOnTheTargetThatDidNotComeThroughExodusIsReported() throws Exception {
        assertEquals(200, post("cutover").statusCode());
        // Through the target's Unix socket: not from the address Exodus reaches the target from. The folder is the
        // one the running server uses: a restart through another handle of the shared server (an earlier test class
        // crashing the target) moves it to that handle's folder.
        ConnectionTarget socket = new ConnectionTarget(TestDatabases.target().socketDirectory().orElseThrow()
                .toString(), TestDatabases.target().port(), TestUsers.SCRAM_USER,
                TestUsers.SCRAM_PASSWORD, DATABASE, "disable");
        CompletableFuture<String> bypassing = CompletableFuture.supplyAsync(() -> Psql.against(socket).query(
                "begin; insert into events values (10, 'bypassing Exodus'); select pg_sleep(6); commit"));
        String seen = "";
        // psql starting and logging in takes a while on a loaded machine: the session stays open 6 s for that.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < deadline && !seen.contains("\"directWrites\":1")) {
            Thread.sleep(100);
            seen = status();
        }
        assertTrue(seen.contains("\"directWrites\":1"), (bypassing.isCompletedExceptionally()
                ? "the direct session failed: " + bypassing.handle((r, e) -> String.valueOf(e)).join() + "; " : "")
                + seen);
        assertTrue(seen.contains("\"user\":\"" + TestUsers.SCRAM_USER + "\"") && seen.contains("\"clientAddress\":"
                + "\"local\"") && seen.contains("\"writing\":true"), seen);
        bypassing.get(10, TimeUnit.SECONDS);
        try (Connection client = ConnectionTarget.local(port, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                DATABASE).openJdbc(); Statement statement = client.createStatement()) {
            statement.execute("begin; insert into events values (11, 'through Exodus'); select pg_sleep(0.5); commit");
        }
        assertTrue(status().contains("\"directWrites\":1"), "Exodus's own write is not reported: " + status());
    }

    private static ConnectionTarget direct(int serverPort) {
        return direct(serverPort, DATABASE);
    }

    private static ConnectionTarget direct(int serverPort, String database) {
        return new ConnectionTarget("127.0.0.1", serverPort, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD, database,
                "disable");
    }

    private static void insert(ConnectionTarget where, int id) throws SQLException {
        try (Connection client = where.openJdbc(); Statement statement = client.createStatement()) {
            statement.execute("insert into events values (" + id + ", 'test')");
        }
    }

    private static String settingOnTheSource() {
        return Psql.against(DualWriteDatabases.source(DATABASE)).query(SETTING_OF_THE_ROLE);
    }

    /** The role's own setting in one database ({@code ALTER ROLE … IN DATABASE}). */
    private static String settingOnTheSource(String database) {
        return Psql.against(DualWriteDatabases.source(DATABASE)).query(SETTING_OF_THE_ROLE.replace("s.setdatabase = 0",
                "s.setdatabase = (select oid from pg_database where datname = '" + database + "')"));
    }

    private static String status() {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").asString()
                .replace(" ", "");
    }

    private static Response post(String step) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .header("X-Exodus-Actor", "bypass guard test").contentType("application/json")
                .body("{\"reason\": \"test\"}").post("/exodus/migration/" + step);
    }

    private static void await(Future<Void> done) throws Exception {
        done.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
