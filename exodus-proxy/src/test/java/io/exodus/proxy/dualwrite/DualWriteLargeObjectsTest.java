package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.fastpath.FastpathArg;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large objects in dual-write: the same OIDs and the same bytes on both databases, whether the client makes them
 * through the protocol's fast path (pgJDBC's LargeObjectManager, psql's {@code \lo_import}) or with SQL. The server
 * draws a new object's OID from its own counter: run on both, the target held another OID than the source, and the
 * fast path was refused outright.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteLargeObjectsTest {
    private static final String DATABASE = "dw_large_objects";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createDatabase() throws SQLException {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table documents (id int primary key, body oid)");
        // The target's OID counter is moved on, so that an OID it drew itself could never match the source's.
        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute("select lo_unlink(lo_creat(-1)) from generate_series(1, 50)");
        }
    }

    @AfterEach
    void drained() throws InterruptedException {
        CatchUpDrain.await(Duration.ofSeconds(60));
    }

    @Test
    void objectsWrittenThroughTheFastPathHaveTheSourcesOidsAndBytesOnBoth() throws Exception {
        byte[] bytes = "written through pgJDBC's fast path".getBytes(StandardCharsets.UTF_8);
        long oid;
        try (Connection client = openProxy()) {
            client.setAutoCommit(false);
            LargeObjectManager objects = client.unwrap(PGConnection.class).getLargeObjectAPI();
            oid = objects.createLO(LargeObjectManager.READWRITE);
            try (LargeObject object = objects.open(oid, LargeObjectManager.WRITE)) {
                object.write(bytes);
                object.seek(8);
                object.write("THROUGH".getBytes(StandardCharsets.UTF_8));
            }
            try (PreparedStatement insert = client.prepareStatement("insert into documents values (1, ?)")) {
                insert.setLong(1, oid);
                insert.execute();
            }
            client.commit();
            try (LargeObject object = objects.open(oid, LargeObjectManager.READ)) {
                assertEquals("written THROUGH pgJDBC's fast path", new String(object.read(100),
                        StandardCharsets.UTF_8), "read back through Exodus");
            }
            client.commit();
        }
        assertSameObjects();
        DualWriteDatabases.assertIdentical(DATABASE, "documents");
        assertEquals("written THROUGH pgJDBC's fast path", new String(contentOn(DualWriteDatabases.target(DATABASE),
                oid), StandardCharsets.UTF_8));
    }

    @Test
    void objectsMadeWithSqlHaveTheSourcesOidsAndBytesOnBoth() throws Exception {
        Path file = Files.createTempFile("exodus-lo", ".txt");
        Files.writeString(file, "imported from a file on the server's host\n".repeat(100));
        file.toFile().setReadable(true, false);
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("insert into documents values (2, lo_from_bytea(0, 'made with lo_from_bytea'))");
            statement.execute("insert into documents select 3, lo_creat(-1)");
            statement.execute("select lo_creat(-1)");
            client.setAutoCommit(false);
            statement.execute("insert into documents values (4, lo_import('" + file + "'))");
            statement.execute("savepoint s");
            statement.execute("select lo_from_bytea(0, 'rolled back')");
            statement.execute("rollback to savepoint s");
            statement.execute("update documents set body = lo_from_bytea(0, 'replaced in an update') where id = 3");
            statement.execute("select lo_put(body, 5, '!!') from documents where id = 2");
            client.commit();
            client.setAutoCommit(true);
            statement.execute("select lo_create(424242)");
            statement.execute("select lo_unlink(body) from documents where id = 4");
            statement.execute("select lo_export(body, '" + file + ".out') from documents where id = 2");
        } finally {
            Files.deleteIfExists(file);
        }
        assertSameObjects();
        DualWriteDatabases.assertIdentical(DATABASE, "documents");
        assertEquals("made !!th lo_from_bytea", new String(contentOn(DualWriteDatabases.target(DATABASE),
                oidOf(2)), StandardCharsets.UTF_8));
        assertTrue(Files.exists(Path.of(file + ".out")), "lo_export wrote the file on the source's host");
        Files.deleteIfExists(Path.of(file + ".out"));
    }

    @Test
    void psqlsLargeObjectCommandsLeaveTheSameObjectsOnBoth() throws Exception {
        Path file = Files.createTempFile("exodus-lo-psql", ".bin");
        byte[] bytes = new byte[300_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + i / 7);
        }
        Files.write(file, bytes);
        Path exported = Path.of(file + ".export");
        try {
            CommandResult ran = Psql.against(DualWriteDatabases.proxy(port, DATABASE)).script("""
                    \\lo_import %s
                    \\set imported :LASTOID
                    insert into documents values (5, :imported);
                    \\lo_export :imported %s
                    \\lo_import %s
                    \\lo_unlink :LASTOID
                    """.formatted(file, exported, file));
            assertTrue(ran.succeeded(), ran.toString());
            assertArrayEquals(bytes, Files.readAllBytes(exported), "\\lo_export read what \\lo_import wrote");
            assertArrayEquals(bytes, contentOn(DualWriteDatabases.target(DATABASE), oidOf(5)));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(exported);
        }
        assertSameObjects();
    }

    /** An object past exodus.migration.large-object-max-bytes is refused, and neither database keeps it. */
    @Test
    void anObjectTooLargeToCarryIsRefusedAndKeptNowhere() throws Exception {
        int size = DualWriteProfile.LARGE_OBJECT_MAX_BYTES + 1;
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            SQLException refused = assertThrows(SQLException.class, () -> statement.execute(
                    "insert into documents values (6, lo_from_bytea(0, decode(repeat('ab', " + size + "), 'hex')))"));
            assertEquals("54000", refused.getSQLState(), refused.getMessage());
            assertTrue(refused.getMessage().contains("exodus.migration.large-object-max-bytes"),
                    refused.getMessage());
            client.setAutoCommit(false);
            statement.execute("insert into documents values (6, 0)");
            assertThrows(SQLException.class, () -> statement.execute(
                    "update documents set body = lo_from_bytea(0, decode(repeat('ab', " + size + "), 'hex')) "
                            + "where id = 6"));
            client.rollback();
        }
        assertFalse(hasRow(DualWriteDatabases.source(DATABASE), 6), "source");
        assertFalse(hasRow(DualWriteDatabases.target(DATABASE), 6), "target");
        assertSameObjects();
    }

    /**
     * The objects are looked for by the transaction ids the session holds once the request is done: a text that also
     * commits has let go of them, and is refused before anything runs.
     */
    @Test
    void aTextThatCreatesAnObjectAndCommitsIsRefused() throws Exception {
        long before = objectsOn(DualWriteDatabases.source(DATABASE)).size();
        CommandResult ran = Psql.against(DualWriteDatabases.proxy(port, DATABASE))
                .command("begin; select lo_creat(-1); commit");
        assertFalse(ran.succeeded(), ran.toString());
        assertTrue(ran.stderr().contains("send the transaction statements on their own"), ran.toString());
        assertEquals(before, objectsOn(DualWriteDatabases.source(DATABASE)).size(), "nothing ran");
    }

    /** A database's own function has another OID on the target: a fast-path call of one is refused, saying so. */
    @Test
    void aFastPathCallOfTheDatabasesOwnFunctionIsRefused() throws Exception {
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("create or replace function seven() returns int language sql as 'select 7'");
            int function;
            try (ResultSet row = statement.executeQuery("select 'seven'::regproc::oid")) {
                row.next();
                function = row.getInt(1);
            }
            @SuppressWarnings("deprecation")
            SQLException refused = assertThrows(SQLException.class, () -> client.unwrap(PGConnection.class)
                    .getFastpathAPI().fastpath(function, new FastpathArg[0]));
            assertEquals("0A000", refused.getSQLState(), refused.getMessage());
            assertTrue(refused.getMessage().contains("call the function with SELECT"), refused.getMessage());
            try (ResultSet row = statement.executeQuery("select seven()")) {
                row.next();
                assertEquals(7, row.getInt(1), "the session goes on");
            }
        }
    }

    /** Every large object of the database: the same OIDs, owners and bytes on source and target. */
    private static void assertSameObjects() throws SQLException, InterruptedException {
        CatchUpDrain.await(Duration.ofSeconds(60));
        List<String> source = objectsOn(DualWriteDatabases.source(DATABASE));
        assertFalse(source.isEmpty());
        assertEquals(source, objectsOn(DualWriteDatabases.target(DATABASE)));
    }

    private static List<String> objectsOn(ConnectionTarget server) throws SQLException {
        List<String> objects = new ArrayList<>();
        try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select oid, lomowner::regrole, md5(lo_get(oid)) "
                        + "from pg_largeobject_metadata order by oid")) {
            while (rows.next()) {
                objects.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
            }
        }
        return objects;
    }

    private static byte[] contentOn(ConnectionTarget server, long oid) throws SQLException {
        try (Connection connection = server.openJdbc();
                PreparedStatement statement = connection.prepareStatement("select lo_get(?)")) {
            statement.setLong(1, oid);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getBytes(1);
            }
        }
    }

    private static long oidOf(int document) throws SQLException {
        try (Connection connection = DualWriteDatabases.source(DATABASE).openJdbc();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select body from documents where id = " + document)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static boolean hasRow(ConnectionTarget server, int document) throws SQLException {
        try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select 1 from documents where id = " + document)) {
            return row.next();
        }
    }

    private Connection openProxy() throws SQLException {
        return DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
    }
}
