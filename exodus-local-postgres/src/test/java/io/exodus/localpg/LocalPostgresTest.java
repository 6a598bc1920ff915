package io.exodus.localpg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LocalPostgresTest {

    private static final String PASSWORD = "s3cret pass:/@";

    @Test
    void dataSurvivesACrashAndARestartOnTheSamePort() throws SQLException {
        try (LocalPostgres server = LocalPostgres.builder()
                .name("crash-test")
                .superuser("postgres", PASSWORD)
                .hostAuthMethod("md5")
                .setting("max_prepared_transactions", "20")
                .start()) {
            int port = server.port();
            assertTrue(server.version().startsWith("15."), server.version());
            try (Connection connection = connect(server, PASSWORD)) {
                assertEquals("20", single(connection, "SHOW max_prepared_transactions"));
                execute(connection, "CREATE TABLE survivor (id int PRIMARY KEY, note text)");
                execute(connection, "INSERT INTO survivor VALUES (1, 'still here')");
            }

            try (Connection connection = connect(server, PASSWORD)) {
                // What a slow stop logs: the postmaster's children, each with its state and command line.
                long checkpointer = Long.parseLong(single(connection,
                        "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"));
                long postmaster = ProcessHandle.of(checkpointer).flatMap(ProcessHandle::parent).orElseThrow().pid();
                String children = PostmasterChildren.describe(postmaster);
                assertTrue(children.lines().anyMatch(line -> line.startsWith(checkpointer + " ")
                        && line.contains("checkpointer")), children);
            }

            server.stopImmediately();
            assertFalse(server.isRunning());
            server.start();

            assertEquals(port, server.port());
            try (Connection connection = connect(server, PASSWORD)) {
                assertEquals("still here", single(connection, "SELECT note FROM survivor WHERE id = 1"));
            }
        }
    }

    @Test
    void hostConnectionsNeedTheRightPassword() {
        try (LocalPostgres server = LocalPostgres.builder().name("auth-test").hostAuthMethod("md5")
                .tradeDurabilityForSpeed().start()) {
            SQLException refused = assertThrows(SQLException.class, () -> connect(server, "wrong").close());
            assertEquals("28P01", refused.getSQLState(), refused.getMessage());
        }
    }

    @Test
    void closeStopsTheServerFreesThePortAndDeletesTheTempData() throws IOException {
        LocalPostgres server = LocalPostgres.builder().name("close-test").tradeDurabilityForSpeed().start();
        Path data = server.dataDirectory();
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
        assertTrue(server.isRunning());

        server.close();
        server.close();

        assertFalse(server.isRunning());
        assertFalse(PostmasterProcess.isRunning(pid), "postmaster still running");
        assertFalse(Files.exists(data), "temp data folder left behind");
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        }
        assertThrows(IllegalStateException.class, server::start);
    }

    @Test
    void aGivenDataDirectoryIsKeptAfterClose(@TempDir Path parent) {
        Path data = parent.resolve("cluster");
        try (LocalPostgres server = LocalPostgres.builder().name("kept").dataDirectory(data)
                .tradeDurabilityForSpeed().start()) {
            assertEquals(data, server.dataDirectory());
        }
        assertTrue(Files.exists(data.resolve("PG_VERSION")));
        assertFalse(Files.exists(data.resolve("postmaster.pid")));
    }

    @Test
    void aFailedStartReportsTheServerLog() {
        LocalPostgresException failure = assertThrows(LocalPostgresException.class, () -> LocalPostgres.builder()
                .name("broken").tradeDurabilityForSpeed().setting("shared_buffers", "plenty").start());
        assertTrue(failure.getMessage().contains("shared_buffers"), failure.getMessage());
    }

    @Test
    void urlsEncodeUserAndPassword() {
        try (LocalPostgres server = LocalPostgres.builder().name("url-test").build()) {
            assertEquals("postgresql://us%20er:p%40ss%3Aw%2Frd@127.0.0.1:" + server.port() + "/db",
                    server.url("us er", "p@ss:w/rd", "db"));
            assertEquals("jdbc:postgresql://127.0.0.1:" + server.port() + "/db", server.jdbcUrl("db"));
            assertFalse(server.isRunning());
        }
    }

    private static Connection connect(LocalPostgres server, String password) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", password);
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertTrue(rows.next(), "no row from " + sql);
            return rows.getString(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
