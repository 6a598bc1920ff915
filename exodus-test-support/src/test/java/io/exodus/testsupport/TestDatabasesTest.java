package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TestDatabasesTest {

    @Test
    void bothServersRunWithTheTestSettings() throws SQLException {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc()) {
                assertEquals("20", single(connection, "SHOW max_prepared_transactions"));
                assertEquals("logical", single(connection, "SHOW wal_level"));
                assertEquals("off", single(connection, "SHOW fsync"));
            }
        }
        assertNotEquals(TestDatabases.source().port(), TestDatabases.target().port());
    }

    @Test
    void scramAndMd5StoredPasswordsBothLogIn() throws SQLException {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            assertLogsIn(ConnectionTarget.of(server, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                    TestUsers.APP_DATABASE));
            assertLogsIn(ConnectionTarget.of(server, TestUsers.MD5_USER, TestUsers.MD5_PASSWORD,
                    TestUsers.DEFAULT_DATABASE));
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc()) {
                assertTrue(single(connection, "SELECT rolpassword FROM pg_authid WHERE rolname = 'app_scram'")
                        .startsWith("SCRAM-SHA-256$"));
                assertTrue(single(connection, "SELECT rolpassword FROM pg_authid WHERE rolname = 'app_md5'")
                        .startsWith("md5"));
                assertEquals(TestUsers.SCRAM_USER, single(connection,
                        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app'"));
            }
        }
    }

    @Test
    void theVertxClientLogsInWithBothPasswordKinds() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            for (ConnectionTarget target : List.of(
                    ConnectionTarget.of(TestDatabases.target(), TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                            TestUsers.APP_DATABASE),
                    ConnectionTarget.of(TestDatabases.target(), TestUsers.MD5_USER, TestUsers.MD5_PASSWORD,
                            TestUsers.DEFAULT_DATABASE))) {
                String user = PgConnection.connect(vertx, target.pgConnectOptions())
                        .compose(connection -> connection.query("SELECT current_user").execute()
                                .map(rows -> rows.iterator().next().getString(0))
                                .eventually(v -> connection.close()))
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertEquals(target.user(), user);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void psqlRunsAgainstTheSource() {
        Psql psql = Psql.against(ConnectionTarget.of(TestDatabases.source(), TestUsers.MD5_USER,
                TestUsers.MD5_PASSWORD, TestUsers.DEFAULT_DATABASE));
        assertEquals("1", psql.query("select 1"));
        assertEquals("2\n3", psql.script("select 2;\nselect 3;\n").requireSuccess().stdout().strip());
        CommandResult failure = psql.command("select no_such_column");
        assertEquals(1, failure.exitCode());
        assertTrue(failure.stderr().contains("no_such_column"), failure.stderr());
    }

    @Test
    void pgbenchInitializesAndRunsAgainstTheSource() {
        ConnectionTarget source = ConnectionTarget.of(TestDatabases.source(), TestUsers.SCRAM_USER,
                TestUsers.SCRAM_PASSWORD, TestUsers.APP_DATABASE);
        Pgbench pgbench = Pgbench.against(source);
        pgbench.initialize(1).requireSuccess();

        PgbenchResult result = pgbench.run(QueryMode.PREPARED, 5, 1, 10, BuiltinScript.SELECT_ONLY).requireSuccess();

        assertEquals(50, result.processedTransactions().orElseThrow(), result.stdout());
        assertEquals(0, result.failedTransactions().orElseThrow(), result.stdout());
        assertTrue(result.tps().orElseThrow() > 0, result.stdout());
    }

    @Test
    void theQuarkusResourcePointsAtBothServers() {
        Map<String, String> config = new PostgresPairResource().start();
        assertEquals("postgresql://postgres:postgres@127.0.0.1:" + TestDatabases.source().port() + "/postgres",
                config.get("exodus.source.url"));
        assertEquals("postgresql://postgres:postgres@127.0.0.1:" + TestDatabases.target().port() + "/postgres",
                config.get("exodus.target.url"));
        assertTrue(Integer.parseInt(config.get("exodus.listen.port")) > 0);
        assertEquals("0", config.get("quarkus.http.test-port"));
    }

    private static void assertLogsIn(ConnectionTarget target) throws SQLException {
        try (Connection connection = target.openJdbc()) {
            assertEquals(target.user(), single(connection, "SELECT current_user"));
        }
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertTrue(rows.next(), "no row from " + sql);
            return rows.getString(1);
        }
    }
}
