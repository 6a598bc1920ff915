package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/** SIGTERM: no new clients, idle sessions closed at once, transactions in flight may finish up to the timeout. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GracefulShutdownTest {

    private static final String ADMIN_SHUTDOWN = "57P01";

    @Test
    void transactionInFlightFinishesThenTheProxyExits() throws Exception {
        LocalPostgres source = TestDatabases.source();
        String table = freshTable(source);
        int listenPort = FreePorts.pick();
        try (ProxyProcess proxy = start(listenPort, "20s")) {
            ConnectionTarget client = ConnectionTarget.local(listenPort, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                    TestUsers.DEFAULT_DATABASE);
            try (Connection inTransaction = client.openJdbc(); Connection idle = client.openJdbc()) {
                inTransaction.setAutoCommit(false);
                execute(inTransaction, "insert into " + table + " values (1)");
                execute(idle, "select 1");

                long terminated = System.nanoTime();
                Support.sigterm(proxy);

                // Like PostgreSQL in a smart shutdown, the proxy still answers new connections, with 57P03.
                assertTrue(Support.await(Duration.ofSeconds(2), () -> refusedAsShuttingDown(client)),
                        Support.withLog(proxy, "the proxy still accepted new sessions 2 s after SIGTERM"));
                System.out.printf("GracefulShutdownTest: new sessions refused %d ms after SIGTERM%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated));

                SQLException idleFailure = assertThrows(SQLException.class, () -> execute(idle, "select 1"),
                        Support.withLog(proxy, "the idle session still ran a query after SIGTERM"));
                assertTrue(ADMIN_SHUTDOWN.equals(idleFailure.getSQLState()) || idle.isClosed()
                                || idleFailure.getSQLState() != null && idleFailure.getSQLState().startsWith("08"),
                        "idle session: SQLSTATE " + idleFailure.getSQLState() + ": " + idleFailure.getMessage());
                System.out.printf("GracefulShutdownTest: idle session got %s: %s%n", idleFailure.getSQLState(),
                        idleFailure.getMessage());

                assertTrue(proxy.isAlive(), Support.withLog(proxy, "the proxy exited with a transaction in flight"));
                execute(inTransaction, "insert into " + table + " values (2)");
                inTransaction.commit();
                long committed = System.nanoTime();

                assertTrue(Support.await(Duration.ofSeconds(10), () -> !proxy.isAlive()),
                        Support.withLog(proxy, "the proxy did not exit within 10 s of the last transaction's COMMIT"));
                long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - committed);
                System.out.printf("GracefulShutdownTest: exit %s %d ms after the COMMIT, %d ms after SIGTERM%n",
                        proxy.exitCode(), exitMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated));
                assertTrue(exitMillis < 5000, "exit took " + exitMillis + " ms after the COMMIT");

                SQLException afterCommit = assertThrows(SQLException.class,
                        () -> execute(inTransaction, "select 1"), "the session outlived the proxy");
                System.out.printf("GracefulShutdownTest: session after its COMMIT got %s: %s%n",
                        afterCommit.getSQLState(), afterCommit.getMessage());
            }
            assertEquals(2, Support.queryLong(source, "select count(*) from " + table),
                    "both rows of the committed transaction are on the source");
        } finally {
            Support.executeDirect(source, "drop table if exists " + table);
        }
    }

    @Test
    void transactionThatNeverFinishesIsCutAtTheTimeout() throws Exception {
        LocalPostgres source = TestDatabases.source();
        String table = freshTable(source);
        int listenPort = FreePorts.pick();
        try (ProxyProcess proxy = start(listenPort, "3s")) {
            ConnectionTarget client = ConnectionTarget.local(listenPort, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                    TestUsers.DEFAULT_DATABASE);
            try (Connection stuck = client.openJdbc()) {
                stuck.setAutoCommit(false);
                execute(stuck, "insert into " + table + " values (1)");

                long terminated = System.nanoTime();
                Support.sigterm(proxy);
                assertTrue(Support.await(Duration.ofSeconds(15), () -> !proxy.isAlive()),
                        Support.withLog(proxy, "the proxy did not exit within 15 s of SIGTERM (shutdown timeout 3 s)"));
                long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated);
                System.out.printf("GracefulShutdownTest: exit %s %d ms after SIGTERM with a stuck transaction%n",
                        proxy.exitCode(), exitMillis);
                assertTrue(exitMillis >= 2500, "exited after " + exitMillis + " ms, before the 3 s timeout");
                assertTrue(exitMillis < 8000, Support.withLog(proxy, "exited only after " + exitMillis + " ms"));
                assertTrue(proxy.logText().contains("Shutdown timeout reached"), Support.withLog(proxy, "no timeout warning"));

                SQLException cut = assertThrows(SQLException.class, () -> stuck.commit());
                System.out.printf("GracefulShutdownTest: COMMIT after the cut got %s: %s%n", cut.getSQLState(),
                        cut.getMessage());
            }
            // The backend notices the closed socket and rolls back; wait for it to be gone, then look.
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(source,
                            "select count(*) from pg_stat_activity where usename = '" + TestUsers.SCRAM_USER
                                    + "' and query like '%" + table + "%'") == 0),
                    "the cut session's backend is still on the source");
            assertEquals(0, Support.queryLong(source, "select count(*) from " + table), "the uncommitted row is absent");
        } finally {
            Support.executeDirect(source, "drop table if exists " + table);
        }
    }

    private static boolean refusedAsShuttingDown(ConnectionTarget client) {
        try (Connection late = client.openJdbc()) {
            return false;
        } catch (SQLException refused) {
            return "57P03".equals(refused.getSQLState());
        }
    }

    static ProxyProcess start(int listenPort, String shutdownTimeout) {
        return Support.startProxyOnTestDatabases(listenPort, Map.of("EXODUS_SHUTDOWN_TIMEOUT", shutdownTimeout));
    }

    /** A new table on the source that the test users may write. */
    static String freshTable(LocalPostgres source) {
        String table = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Support.executeDirect(source, "create table " + table + " (id int primary key); grant all on " + table + " to "
                + TestUsers.SCRAM_USER + ", " + TestUsers.MD5_USER);
        return table;
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
