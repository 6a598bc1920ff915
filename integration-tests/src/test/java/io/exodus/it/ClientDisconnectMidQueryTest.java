package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
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
import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/** What the source sees when a client or the proxy itself vanishes in the middle of work. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClientDisconnectMidQueryTest {

    @Test
    void queryOfAClientThatVanishedIsCancelledOnTheSource() throws Exception {
        LocalPostgres source = TestDatabases.source();
        int listenPort = FreePorts.pick();
        // md5, because RawPgConnection answers md5 and cleartext challenges only (app_md5's secret is md5).
        try (ProxyProcess proxy = Support.startProxyOnTestDatabases(listenPort, Map.of("EXODUS_AUTH_METHOD", "md5"))) {
            String marker = "it_" + UUID.randomUUID().toString().replace("-", "");
            String sleeping = "select pg_sleep(60) /* " + marker + " */";
            String running = "select count(*) from pg_stat_activity where usename = '" + TestUsers.MD5_USER
                    + "' and state = 'active' and query like '%pg_sleep(60)%" + marker + "%'";

            RawPgConnection client = new RawPgConnection("127.0.0.1", listenPort);
            try {
                client.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, TestUsers.DEFAULT_DATABASE);
                client.send(RawPgConnection.query(sleeping));
                assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(source, running) == 1),
                        Support.withLog(proxy, "the query never ran on the source"));
            } finally {
                // No Terminate, no Cancel: the socket just goes away.
                client.close();
            }
            long closed = System.nanoTime();
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(source, running) == 0),
                    Support.withLog(proxy, "pg_sleep(60) still runs on the source 10 s after its client vanished"));
            System.out.printf("ClientDisconnectMidQueryTest: query gone from the source %d ms after the close%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed));
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(source,
                            "select count(*) from pg_stat_activity where query like '%" + marker + "%'"
                                    + " and pid <> pg_backend_pid()") == 0),
                    "the backend connection of the vanished client is still open on the source");
            assertTrue(proxy.isAlive());
        }
    }

    @Test
    void openTransactionDiesWithAKilledProxy() throws Exception {
        LocalPostgres source = TestDatabases.source();
        String table = GracefulShutdownTest.freshTable(source);
        int listenPort = FreePorts.pick();
        String idleInTransaction = "select count(*) from pg_stat_activity where usename = '" + TestUsers.SCRAM_USER
                + "' and state like 'idle in transaction%' and query like '%" + table + "%'";
        try (ProxyProcess proxy = Support.startProxyOnTestDatabases(listenPort, Map.of())) {
            ConnectionTarget client = ConnectionTarget.local(listenPort, TestUsers.SCRAM_USER, TestUsers.SCRAM_PASSWORD,
                    TestUsers.DEFAULT_DATABASE);
            try (Connection connection = client.openJdbc()) {
                connection.setAutoCommit(false);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("insert into " + table + " values (1)");
                }
                assertEquals(1, Support.queryLong(source, idleInTransaction), "the open transaction is on the source");

                proxy.kill9();
                long killed = System.nanoTime();
                assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(source, idleInTransaction) == 0),
                        "the source still holds the transaction 10 s after the proxy was killed");
                System.out.printf("ClientDisconnectMidQueryTest: transaction gone %d ms after kill -9%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            }
            assertEquals(0, Support.queryLong(source, "select count(*) from " + table), "the uncommitted row is absent");
        } finally {
            Support.executeDirect(source, "drop table if exists " + table);
        }
    }
}
