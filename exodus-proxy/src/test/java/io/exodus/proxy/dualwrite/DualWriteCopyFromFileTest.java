package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code COPY … FROM 'file'}, a file on the source's host, through dual-write (what PostgreSQL's regression suite
 * loads its tables with): Exodus reads the file in the client's session and gives its bytes to both databases, so
 * both hold the same rows, drawn defaults included; whatever the server would refuse, it refuses in its own words;
 * what Exodus cannot read, it refuses before anything is written.
 *
 * <p>Written by role (the secondary and the primary), as {@link DualWriteCopyFromFileAfterCutoverTest} swaps them.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteCopyFromFileTest {
    private static final String DATABASE = "dw_copy_file";
    private static final String LOADED = "(id bigserial primary key, label text not null, amount int, "
            + "created timestamptz not null default now(), uid uuid not null default gen_random_uuid())";
    private static Path directory;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        // The source's server process reads these files: a directory and files anyone may read.
        directory = Files.createTempDirectory("exodus-copy-file",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterAll
    static void removeFiles() throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    @AfterEach
    void backToDefaultPolicy() throws InterruptedException {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        CatchUpDrain.await(Duration.ofSeconds(60));
    }

    /**
     * Left-out columns with drawn defaults (the chunked COPY), every column (the streamed one), CSV with a header:
     * in autocommit and in a client transaction, under every policy, both sides hold the same rows. The files are
     * larger than one piece of the feed.
     */
    @ParameterizedTest
    @EnumSource(ConsistencyPolicy.class)
    void aServerFileLoadsTheSameRowsOnBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        String table = "file_loaded_" + policy.name().toLowerCase();
        String whole = "file_whole_" + policy.name().toLowerCase();
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " " + LOADED);
        DualWriteDatabases.onBoth(DATABASE, "create table " + whole + " (id int primary key, label text)");
        Path text = file("text_" + table, textRows(20_000));
        StringBuilder csv = new StringBuilder("id,label\n");
        for (int i = 1; i <= 20_000; i++) {
            csv.append(i).append(",\"a label, with a comma and \"\"quotes\"\" ").append(i).append("\"\n");
        }
        Path csvFile = file("csv_" + whole, csv.toString());
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            assertEquals(20_000, statement.executeUpdate("COPY " + table + " (label, amount) FROM '" + text + "'"));
            client.setAutoCommit(false);
            assertEquals(20_000, statement.executeUpdate("COPY " + table + " (label, amount) FROM '" + text + "'"));
            assertEquals(20_000, statement.executeUpdate("COPY " + whole + " FROM '" + csvFile
                    + "' WITH (FORMAT csv, HEADER)"));
            statement.executeUpdate("insert into " + table + " (label) values ('after the copies')");
            client.commit();
        }
        assertLoadedIdentically(table, 40_001);
        DualWriteDatabases.assertIdentical(DATABASE, whole);
        assertEquals(20_000, count(DualWriteDatabases.secondary(DATABASE), whole));
    }

    /**
     * What the server refuses it refuses in its own words, and nothing is written: a missing file, a directory, a
     * role that may not read server files. In a transaction, the transaction fails as it would directly.
     */
    @Test
    void whatTheServerRefusesItRefusesInItsOwnWords() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table refused_file " + LOADED);
        DualWriteDatabases.onBoth(DATABASE, "do $$ begin create role exodus_no_files; exception when "
                + "duplicate_object then null; end $$");
        DualWriteDatabases.onBoth(DATABASE, "grant insert on refused_file to exodus_no_files");
        DualWriteDatabases.onBoth(DATABASE, "grant usage on sequence refused_file_id_seq to exodus_no_files");
        Path text = file("refused", textRows(10));
        Path missing = directory.resolve("no such file");
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            SQLException absent = assertThrows(SQLException.class,
                    () -> statement.execute("COPY refused_file (label, amount) FROM '" + missing + "'"));
            assertEquals("58P01", absent.getSQLState(), absent.toString());
            assertTrue(absent.getMessage().contains("could not open file"), absent.getMessage());
            SQLException folder = assertThrows(SQLException.class,
                    () -> statement.execute("COPY refused_file (label, amount) FROM '" + directory + "'"));
            assertTrue(folder.getMessage().contains("is a directory"), folder.getMessage());
            statement.execute("set role exodus_no_files");
            SQLException denied = assertThrows(SQLException.class,
                    () -> statement.execute("COPY refused_file (label, amount) FROM '" + text + "'"));
            assertEquals("42501", denied.getSQLState(), denied.toString());
            assertTrue(denied.getMessage().contains("COPY from a file"), denied.getMessage());
            statement.execute("reset role");
            client.setAutoCommit(false);
            statement.executeUpdate("insert into refused_file (label) values ('rolled back with the transaction')");
            assertThrows(SQLException.class,
                    () -> statement.execute("COPY refused_file (label, amount) FROM '" + missing + "'"));
            SQLException aborted = assertThrows(SQLException.class, () -> statement.execute("select 1"));
            assertEquals("25P02", aborted.getSQLState(), aborted.toString());
            client.rollback();
            client.setAutoCommit(true);
            statement.executeUpdate("insert into refused_file (label) values ('the session goes on')");
        }
        assertLoadedIdentically("refused_file", 1);
    }

    /**
     * What Exodus cannot read it refuses before anything is written, saying what to do: a role that may COPY from a
     * file but not run pg_read_binary_file, and a file past exodus.migration.copy-from-file-max-bytes. FROM PROGRAM
     * stays refused: the program would run on the source's host only.
     */
    @Test
    void whatExodusCannotReadItRefusesBeforeAnythingIsWritten() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table unread_file " + LOADED);
        DualWriteDatabases.onBoth(DATABASE, "do $$ begin create role exodus_file_reader in role "
                + "pg_read_server_files; exception when duplicate_object then null; end $$");
        DualWriteDatabases.onBoth(DATABASE, "grant insert on unread_file to exodus_file_reader");
        DualWriteDatabases.onBoth(DATABASE, "grant usage on sequence unread_file_id_seq to exodus_file_reader");
        Path small = file("small", textRows(10));
        StringBuilder rows = new StringBuilder();
        while (rows.length() <= DualWriteProfile.COPY_FROM_FILE_MAX_BYTES) {
            rows.append(textRows(10_000));
        }
        Path large = file("large", rows.toString());
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            statement.execute("set role exodus_file_reader");
            SQLException reader = assertThrows(SQLException.class,
                    () -> statement.execute("COPY unread_file (label, amount) FROM '" + small + "'"));
            assertEquals("42501", reader.getSQLState(), reader.toString());
            assertTrue(reader.getMessage().contains("pg_read_binary_file"), reader.getMessage());
            statement.execute("reset role");
            SQLException tooLarge = assertThrows(SQLException.class,
                    () -> statement.execute("COPY unread_file (label, amount) FROM '" + large + "'"));
            assertEquals("54000", tooLarge.getSQLState(), tooLarge.toString());
            assertTrue(tooLarge.getMessage().contains("exodus.migration.copy-from-file-max-bytes"),
                    tooLarge.getMessage());
            SQLException program = assertThrows(SQLException.class,
                    () -> statement.execute("COPY unread_file (label) FROM PROGRAM 'echo hello'"));
            assertEquals("0A000", program.getSQLState(), program.toString());
            client.setAutoCommit(false);
            statement.executeUpdate("insert into unread_file (label) values ('rolled back with the transaction')");
            assertThrows(SQLException.class,
                    () -> statement.execute("COPY unread_file (label, amount) FROM '" + large + "'"));
            client.rollback();
            client.setAutoCommit(true);
            assertEquals(10, statement.executeUpdate("COPY unread_file (label, amount) FROM '" + small + "'"));
        }
        assertLoadedIdentically("unread_file", 10);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** A simple-query session, as psql's: COPY FROM in the extended protocol is refused (GAPS.md). */
    /**
     * A COPY that fills every column from the file runs on the source as written, so that the server reports it as
     * it would directly (pg_stat_progress_copy: type FILE, bytes_total; the regression suite's copy test); the target
     * gets the bytes Exodus read just before. A file that changes in between fails the COPY on both.
     */
    @Test
    void theSourceReadsTheFileItselfAndAFileChangedMeanwhileFailsTheCopy() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table file_native (id int primary key, label text)");
        Path data = file("native", "1\tone\n2\ttwo\n");
        DualWriteDatabases.onBoth(DATABASE, "create table file_progress (type text, bytes_total bigint)");
        try (Connection source = DualWriteDatabases.primary(DATABASE).openJdbc();
                Statement statement = source.createStatement()) {
            // On the source only: what the server reports about the COPY while it runs.
            statement.execute("create function note_progress() returns trigger language plpgsql as $$ begin "
                    + "insert into file_progress select command || ' ' || type, bytes_total from "
                    + "pg_stat_progress_copy where pid = pg_backend_pid(); return null; end $$");
            statement.execute("create trigger noted after insert on file_native for each statement "
                    + "execute function note_progress()");
        }
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            assertEquals(2, statement.executeUpdate("COPY file_native FROM '" + data + "'"));
        }
        assertEquals("COPY FROM FILE " + Files.size(data), Psql.against(DualWriteDatabases.primary(DATABASE))
                .query("select type || ' ' || bytes_total from file_progress"));
        DualWriteDatabases.assertIdentical(DATABASE, "file_native");

        Path changing = file("changing", "3\tthree\n");
        try (Connection source = DualWriteDatabases.primary(DATABASE).openJdbc();
                Statement statement = source.createStatement()) {
            // On the source only: the COPY's own trigger writes the file again while the COPY runs.
            statement.execute("create function change_file() returns trigger language plpgsql as $$ begin "
                    + "copy (select 4, 'four') to '" + changing + "'; return null; end $$");
            statement.execute("create trigger changes after insert on file_native for each statement "
                    + "execute function change_file()");
        }
        try (Connection client = openProxy(); Statement statement = client.createStatement()) {
            SQLException refused = assertThrows(SQLException.class,
                    () -> statement.executeUpdate("COPY file_native FROM '" + changing + "'"));
            assertEquals("55000", refused.getSQLState(), refused.getMessage());
            assertTrue(refused.getMessage().contains("changed while Exodus copied it"), refused.getMessage());
        }
        assertEquals(2, count(DualWriteDatabases.primary(DATABASE), "file_native"));
        assertEquals(2, count(DualWriteDatabases.secondary(DATABASE), "file_native"));
    }

    private Connection openProxy() throws SQLException {
        return DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE), "socketTimeout", "120",
                "preferQueryMode", "simple");
    }

    private static Path file(String name, String content) throws IOException {
        Path file = directory.resolve(name + ".data");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private static String textRows(int count) {
        StringBuilder rows = new StringBuilder(count * 16);
        for (int i = 1; i <= count; i++) {
            rows.append("label ").append(i).append("\\twith a tab\t").append(i % 1000 == 0 ? "\\N" : i).append('\n');
        }
        return rows.toString();
    }

    /** Both sides hold the same rows, drawn values included, and as many as expected; no uuid repeats. */
    private static void assertLoadedIdentically(String table, int rows) throws SQLException {
        DualWriteDatabases.assertIdentical(DATABASE, table);
        for (ConnectionTarget side : List.of(DualWriteDatabases.primary(DATABASE), DualWriteDatabases.secondary(DATABASE))) {
            assertEquals(rows, count(side, table));
        }
        try (Connection target = DualWriteDatabases.secondary(DATABASE).openJdbc();
                Statement statement = target.createStatement();
                ResultSet distinct = statement.executeQuery("select count(distinct uid) from " + table)) {
            distinct.next();
            assertEquals(rows, distinct.getLong(1), "every row has its own uuid");
        }
    }

    private static long count(ConnectionTarget server, String table) throws SQLException {
        try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select count(*) from " + table)) {
            result.next();
            return result.getLong(1);
        }
    }
}
