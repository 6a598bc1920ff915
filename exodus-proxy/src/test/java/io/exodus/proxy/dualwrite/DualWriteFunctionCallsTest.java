package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code SELECT f()} where {@code f} writes: both databases get the write, whenever and wherever the function was
 * made. The classification once knew only the volatile functions of the source URL's database as they were when the
 * proxy started; a function created later (a migration, the regression suite's copy2) or in another database was
 * taken for a read, ran on the source alone, and the target silently missed its rows.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteFunctionCallsTest {
    private static final String DATABASE = "dw_function_calls";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createDatabase() throws SQLException {
        DualWriteDatabases.recreate(DATABASE);
    }

    @AfterEach
    void drained() throws InterruptedException {
        CatchUpDrain.await(Duration.ofSeconds(60));
    }

    /** Created through Exodus after the proxy started, in a database other than the source URL's. */
    @Test
    void aWritingFunctionMadeThroughExodusWritesBothDatabases() throws Exception {
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("create table noted (id int primary key)");
            statement.execute("create function note(i int) returns void language plpgsql as "
                    + "$$ begin insert into noted values (i); end $$");
            statement.execute("select note(1)");
            client.setAutoCommit(false);
            statement.execute("select note(2)");
            client.commit();
            client.setAutoCommit(true);
            try (PreparedStatement prepared = client.prepareStatement("select note(?)")) {
                for (int i = 3; i <= 8; i++) {
                    prepared.setInt(1, i);
                    prepared.execute();
                }
            }
        }
        assertRows("noted", 8);
    }

    /**
     * Made on both databases without Exodus (a migration tool connected to each): the first call of a function the
     * proxy has never seen is a write.
     */
    @Test
    void aWritingFunctionMadeBehindExodusWritesBothDatabases() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table behind (id int primary key)");
        DualWriteDatabases.onBoth(DATABASE, "create function note_behind(i int) returns int language sql as "
                + "$$ insert into behind values (i) returning i $$");
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("select note_behind(1)");
            statement.execute("select * from note_behind(2)");
        }
        assertRows("behind", 2);
    }

    /**
     * A function that only read (stable) is made one that writes (volatile) with CREATE OR REPLACE: its next call,
     * in the same transaction and in another session, writes both databases.
     */
    @Test
    void aFunctionRedefinedToWriteWritesBothDatabases() throws Exception {
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("create table redefined (id int primary key)");
            statement.execute("create function maybe_note(i int) returns int stable language sql as 'select i'");
            statement.execute("select maybe_note(0)");
            client.setAutoCommit(false);
            statement.execute("create or replace function maybe_note(i int) returns int volatile language sql as "
                    + "$$ insert into redefined values (i) returning i $$");
            statement.execute("select maybe_note(1)");
            client.commit();
        }
        try (Connection other = openProxy(); Statement statement = other.createStatement()) {
            statement.execute("select maybe_note(2)");
        }
        assertRows("redefined", 2);
    }

    /**
     * The function called by a cursor's query, which each FETCH runs a part of: psql's FETCH_COUNT reads a result
     * that way (DECLARE, FETCH FORWARD n, CLOSE), and so does a client's own cursor. The FETCHes ran on the source
     * alone, and the target's cursor never ran the function.
     */
    @Test
    void aWritingFunctionReadThroughACursorWritesBothDatabases() throws Exception {
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("create table fetched (id int primary key)");
            statement.execute("create function note_fetched(i int) returns int language sql as "
                    + "$$ insert into fetched values (i) returning i $$");
        }
        CommandResult ran = Psql.against(DualWriteDatabases.proxy(port, DATABASE)).script("""
                \\set FETCH_COUNT 2
                select note_fetched(g) from generate_series(1, 5) g;
                """);
        assertTrue(ran.succeeded(), ran.toString());
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("declare c no scroll cursor for select note_fetched(g) from generate_series(6, 8) g");
            statement.execute("fetch 2 from c");
            statement.execute("fetch all from c");
            statement.execute("close c");
            client.commit();
        }
        assertRows("fetched", 8);
    }

    /**
     * A function that runs what cannot run in a transaction block is a write Exodus wraps in one; the client gets the
     * error it would get directly (the regression suite's subscription), not the wrapping's.
     */
    @Test
    void aFunctionThatCannotRunInABlockFailsAsItWouldDirectly() throws Exception {
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("create function vacuums() returns void language sql as 'vacuum'");
            SQLException refused = assertThrows(SQLException.class, () -> statement.execute("select vacuums()"));
            assertTrue(refused.getMessage().contains("VACUUM cannot be executed from a function"),
                    refused.getMessage());
            assertEquals(1, count(client, "(select 1) as still_usable"), "the session goes on");
        }
    }

    private void assertRows(String table, int expected) throws SQLException, InterruptedException {
        CatchUpDrain.await(Duration.ofSeconds(60));
        try (Connection source = DualWriteDatabases.source(DATABASE).openJdbc();
                Connection target = DualWriteDatabases.target(DATABASE).openJdbc()) {
            assertEquals(expected, count(source, table), "source");
            assertEquals(expected, count(target, table), "target");
        }
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private Connection openProxy() throws SQLException {
        return DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
    }
}
