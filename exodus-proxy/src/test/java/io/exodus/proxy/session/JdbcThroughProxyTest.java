package io.exodus.proxy.session;

import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pgJDBC through the proxy behaves as it does against the source directly, with TLS on and off. */
@QuarkusTest
@QuarkusTestResource(PostgresPairResource.class)
class JdbcThroughProxyTest {

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    private Connection connect(String user, String password, String sslmode) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("sslmode", sslmode);
        properties.setProperty("prepareThreshold", "1");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
    }

    private Connection connect(String sslmode) throws SQLException {
        return connect(TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD, sslmode);
    }

    @ParameterizedTest
    @ValueSource(strings = { "disable", "require" })
    void preparedStatementsAndBatchesWorkWithAndWithoutTls(String sslmode) throws SQLException {
        String table = "jdbc_items_" + sslmode;
        try (Connection connection = connect(sslmode)) {
            Statement ddl = connection.createStatement();
            ddl.execute("drop table if exists " + table);
            ddl.execute("create table " + table + " (id int primary key, name text)");
            try (PreparedStatement insert = connection.prepareStatement("insert into " + table + " values (?, ?)")) {
                for (int i = 1; i <= 100; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "item " + i);
                    insert.addBatch();
                }
                assertEquals(100, insert.executeBatch().length);
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "select name from " + table + " where id = ?")) {
                for (int i = 1; i <= 10; i++) {
                    select.setInt(1, i * 7);
                    try (ResultSet rs = select.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("item " + (i * 7), rs.getString(1));
                    }
                }
            }
        }
    }

    /** BackendKeyData carries the source backend's pid (with Exodus' own secret key), as pg_backend_pid() reports. */
    @Test
    void theProcessIdTheClientIsToldIsTheServersOwn() throws SQLException {
        try (Connection connection = connect("disable");
                ResultSet pid = connection.createStatement().executeQuery("select pg_backend_pid()")) {
            pid.next();
            assertEquals(connection.unwrap(org.postgresql.PGConnection.class).getBackendPID(), pid.getInt(1));
        }
    }

    @Test
    void transactionsCommitAndRollBack() throws SQLException {
        try (Connection connection = connect("disable")) {
            connection.createStatement().execute("create table if not exists jdbc_tx (v int)");
            connection.createStatement().execute("truncate jdbc_tx");
            connection.setAutoCommit(false);
            connection.createStatement().execute("insert into jdbc_tx values (1)");
            connection.rollback();
            connection.createStatement().execute("insert into jdbc_tx values (2)");
            connection.commit();
            try (ResultSet rs = connection.createStatement().executeQuery("select array_agg(v) from jdbc_tx")) {
                rs.next();
                assertArrayEquals(new Integer[] { 2 }, (Integer[]) rs.getArray(1).getArray());
            }
        }
    }

    @Test
    void copyInAndOutStreamThroughTheProxy() throws Exception {
        try (Connection connection = connect("disable")) {
            connection.createStatement().execute("drop table if exists jdbc_copy");
            connection.createStatement().execute("create table jdbc_copy (id int, payload text)");
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < 5000; i++) {
                rows.append(i).append('\t').append("payload-").append(i).append('\n');
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            assertEquals(5000, copy.copyIn("copy jdbc_copy from stdin", new StringReader(rows.toString())));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy.copyOut("copy (select * from jdbc_copy order by id) to stdout", out);
            assertEquals(rows.toString(), out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void copyFailureReachesTheClientAndTheSessionGoesOn() throws Exception {
        try (Connection connection = connect("disable")) {
            connection.createStatement().execute("create table if not exists jdbc_copy_bad (id int)");
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            SQLException error = assertThrows(SQLException.class,
                    () -> copy.copyIn("copy jdbc_copy_bad from stdin", new StringReader("not-a-number\n")));
            assertEquals("22P02", error.getSQLState());
            try (ResultSet rs = connection.createStatement().executeQuery("select 1")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void statementCancelStopsALongQuery() throws Exception {
        try (Connection connection = connect("disable")) {
            Statement statement = connection.createStatement();
            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(500);
                    statement.cancel();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            SQLException error = assertThrows(SQLException.class, () -> statement.execute("select pg_sleep(30)"));
            assertEquals("57014", error.getSQLState(), "query_canceled");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
            cancel.get(5, TimeUnit.SECONDS);
            try (ResultSet rs = statement.executeQuery("select 'usable'")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void noticesAndNotificationsAreRelayed() throws Exception {
        try (Connection listener = connect("disable"); Connection notifier = connect("require")) {
            Statement statement = listener.createStatement();
            statement.execute("do $$ begin raise notice 'hello from plpgsql'; end $$");
            SQLWarning warning = statement.getWarnings();
            assertNotNull(warning);
            assertEquals("hello from plpgsql", warning.getMessage());
            statement.execute("listen exodus_channel");
            notifier.createStatement().execute("notify exodus_channel, 'payload 1'");
            PGNotification[] notifications = null;
            for (int i = 0; i < 50 && (notifications == null || notifications.length == 0); i++) {
                notifications = listener.unwrap(PGConnection.class).getNotifications(100);
            }
            assertNotNull(notifications);
            assertEquals(1, notifications.length);
            assertEquals("payload 1", notifications[0].getParameter());
        }
    }

    @Test
    void serverParametersMatchTheSource() throws SQLException {
        try (Connection proxied = connect("disable");
                Connection direct = DriverManager.getConnection(TestDatabases.source().jdbcUrl("postgres"),
                        TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD)) {
            assertEquals(direct.getMetaData().getDatabaseProductVersion(),
                    proxied.getMetaData().getDatabaseProductVersion());
            try (ResultSet rs = proxied.createStatement().executeQuery("select current_user, current_database()")) {
                rs.next();
                assertEquals(TestUsers.SCRAM_USER, rs.getString(1));
                assertEquals("postgres", rs.getString(2));
            }
        }
    }

    @Test
    void md5StoredUserLogsInThroughTheAuthQuery() throws SQLException {
        try (Connection connection = connect(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, "disable");
                ResultSet rs = connection.createStatement().executeQuery("select current_user")) {
            rs.next();
            assertEquals(TestUsers.MD5_USER, rs.getString(1));
        }
    }

    @Test
    void wrongPasswordAndUnknownUserAreRefusedAlike() {
        SQLException wrong = assertThrows(SQLException.class,
                () -> connect(TestUsers.SCRAM_USER, "not-the-password", "disable"));
        assertEquals("28P01", wrong.getSQLState());
        SQLException unknown = assertThrows(SQLException.class, () -> connect("nobody_here", "x", "disable"));
        assertEquals("28P01", unknown.getSQLState());
        SQLException wrongMd5 = assertThrows(SQLException.class,
                () -> connect(TestUsers.MD5_USER, "not-the-password", "disable"));
        assertEquals("28P01", wrongMd5.getSQLState());
    }

    @Test
    void databaseThatDoesNotExistIsReportedByTheSource() {
        Properties properties = new Properties();
        properties.setProperty("user", TestUsers.SCRAM_USER);
        properties.setProperty("password", TestUsers.SCRAM_PASSWORD);
        SQLException error = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/no_such_database", properties));
        assertEquals("3D000", error.getSQLState());
    }

    @Test
    void backendTerminatedByTheSourceReachesTheClientAsItsError() throws SQLException {
        try (Connection victim = connect("disable");
                Connection admin = ConnectionTargetOfSource.superuser()) {
            victim.createStatement().execute("set application_name = 'exodus-victim'");
            admin.createStatement().execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'exodus-victim'");
            SQLException error = assertThrows(SQLException.class,
                    () -> victim.createStatement().execute("select 1"));
            assertTrue(error.getSQLState().equals("57P01") || error.getSQLState().startsWith("08"),
                    error.getSQLState() + " " + error.getMessage());
        }
        try (Connection fresh = connect("disable"); ResultSet rs = fresh.createStatement().executeQuery("select 1")) {
            assertTrue(rs.next());
        }
    }

    /** A direct superuser session on the source, to act on it behind the proxy's back. */
    private static final class ConnectionTargetOfSource {
        static Connection superuser() throws SQLException {
            return io.exodus.testsupport.ConnectionTarget.superuser(TestDatabases.source()).openJdbc();
        }
    }
}
