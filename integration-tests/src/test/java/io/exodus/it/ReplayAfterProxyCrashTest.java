package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/**
 * The replay queue survives the proxy: transactions queued while the target was down are replayed by another proxy
 * process after the one that queued them was killed with {@code kill -9}, and a replay interrupted by another
 * {@code kill -9} finishes after the next start, each transaction applied exactly once (a counter incremented by
 * every transaction shows a double apply or a loss).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReplayAfterProxyCrashTest {
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final int TRANSACTIONS = 1500;

    private static String database;

    @BeforeAll
    static void createDatabaseOnBothServers() {
        database = Support.createDurableOnBoth("it_replay_");
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            Support.executeDirect(server, "drop database if exists " + database + " with (force)");
        }
    }

    @AfterEach
    void targetRunsAgain() throws Exception {
        TestDatabases.startTarget();
    }

    @Test
    void queuedTransactionsAreReplayedExactlyOnceAcrossTwoProxyCrashes() throws Exception {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            executeIn(server, "create table counter (id int primary key, n int not null);"
                    + " insert into counter values (1, 0);"
                    + " create table items (id int primary key, note text);"
                    + " grant all on counter, items to " + TestUsers.MD5_USER);
        }

        int firstPort = FreePorts.pick();
        try (ProxyProcess first = startProxy(firstPort, "it_replay_a")) {
            TestDatabases.stopTargetImmediately();
            try (Connection client = client(firstPort).openJdbc()) {
                client.setAutoCommit(false);
                try (PreparedStatement bump = client.prepareStatement("update counter set n = n + 1 where id = 1");
                        PreparedStatement insert = client.prepareStatement("insert into items values (?, ?)")) {
                    for (int i = 1; i <= TRANSACTIONS; i++) {
                        bump.executeUpdate();
                        insert.setInt(1, i);
                        insert.setString(2, "item " + i);
                        insert.executeUpdate();
                        client.commit();
                    }
                }
            }
            assertEquals(TRANSACTIONS, queued(), Support.withLog(first, "every transaction waits in the queue"));
            first.kill9();
        }
        System.out.printf("ReplayAfterProxyCrashTest: first proxy killed with %d transactions queued%n", queued());

        TestDatabases.startTarget();
        try (ProxyProcess second = startProxy(FreePorts.pick(), "it_replay_b")) {
            assertTrue(Support.await(Duration.ofSeconds(60), () -> queued() < TRANSACTIONS),
                    Support.withLog(second, "the second proxy did not start replaying"));
            second.kill9();
        }
        long left = queued();
        System.out.printf("ReplayAfterProxyCrashTest: second proxy killed during the replay, %d transactions left%n",
                left);

        try (ProxyProcess third = startProxy(FreePorts.pick(), "it_replay_c")) {
            assertTrue(Support.await(DRAIN_TIMEOUT, () -> queued() == 0),
                    Support.withLog(third, "the queue did not drain after the restart; left: " + queued()));
        }
        assertEquals(TRANSACTIONS, queryLong(TestDatabases.source(), "select n from counter"), "source");
        assertEquals(TRANSACTIONS, queryLong(TestDatabases.target(), "select n from counter"),
                "every queued transaction applied exactly once on the target");
        TableComparison.assertIdentical(inDatabase(TestDatabases.source()), inDatabase(TestDatabases.target()),
                "counter", "items");
    }

    private static ProxyProcess startProxy(int listenPort, String proxyId) {
        int httpPort = FreePorts.pick();
        Map<String, String> environment = new HashMap<>(Map.of(
                "EXODUS_AUTH_METHOD", "md5",
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", "dual-write",
                "EXODUS_MIGRATION_POLICY", "both-required",
                "EXODUS_MIGRATION_PROXY_ID", proxyId,
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort)));
        return Support.startProxyOnTestDatabases(listenPort, environment);
    }

    private static long queued() {
        return queryLong(TestDatabases.source(), "select count(*) from exodus.replay_queue");
    }

    /** One long value from a query run as superuser in this class's database, straight on the server. */
    private static long queryLong(LocalPostgres server, String sql) {
        return Support.queryLong(inDatabase(server), sql);
    }

    private static void executeIn(LocalPostgres server, String sql) {
        Support.executeDirect(inDatabase(server), sql);
    }

    private static ConnectionTarget inDatabase(LocalPostgres server) {
        return Support.superuserIn(server, database);
    }

    private static ConnectionTarget client(int listenPort) {
        return Support.md5Client(listenPort, database);
    }
}
