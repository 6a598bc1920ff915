package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.PreparedTransactions;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/**
 * The two-phase-commit policy when the proxy dies inside its commit protocol, or a server refuses it: a restarted
 * proxy with the same id finishes what it left prepared, so that no prepared transaction holds locks and both
 * databases agree on every row.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoPhaseCommitCrashTest {

    private static final String CHECK_VIOLATION = "23514";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    /** One database of this class's own on both servers; a table per test. */
    private static String database;

    @BeforeAll
    static void createDatabaseOnBothServers() {
        database = "it_2pc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            Support.executeDirect(server, "create database " + database + " owner " + TestUsers.MD5_USER);
        }
    }

    @AfterAll
    static void dropDatabaseOnBothServers() throws SQLException {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            PreparedTransactions.rollbackAll(ConnectionTarget.superuser(server));
            Support.executeDirect(server, "drop database if exists " + database + " with (force)");
        }
    }

    /** A failed test may have left the crash it made; the next test must not inherit its locks. */
    @AfterEach
    void rollBackWhatATestLeftPrepared() throws SQLException {
        PreparedTransactions.rollbackAll(ConnectionTarget.superuser(TestDatabases.source()));
        PreparedTransactions.rollbackAll(ConnectionTarget.superuser(TestDatabases.target()));
    }

    @Test
    void proxyKilledBetweenPrepareAndCommitPreparedLeavesNoPreparedTransactionAndAgreeingSides() throws Exception {
        String table = createTableOnBothSides("prepared_only");
        // Deferred triggers run at PREPARE TRANSACTION: the target's PREPARE takes 4 s, the window to kill the proxy.
        onTarget("create function slow_prepare() returns trigger language plpgsql as $$"
                + " begin perform pg_sleep(4); return null; end $$;"
                + " create constraint trigger slow_prepare after insert on " + table
                + " deferrable initially deferred for each row execute function slow_prepare()");
        String proxyId = "it_crash_prepare";
        int listenPort = FreePorts.pick();
        String gid;
        try (ProxyProcess proxy = startTwoPhaseProxy(listenPort, proxyId, Map.of())) {
            CompletableFuture<SQLException> commit = commitInBackground(listenPort,
                    "insert into " + table + " values (1, 'never decided')");
            gid = awaitOwnPrepared(TestDatabases.source(), proxyId, proxy);
            assertTrue(Support.await(Duration.ofSeconds(2), () -> preparesRunningOnTarget() == 1),
                    Support.withLog(proxy, "the target's PREPARE TRANSACTION is not running while " + gid
                            + " is prepared on the source"));
            proxy.kill9();
            System.out.printf("TwoPhaseCommitCrashTest: proxy killed with %s prepared on the source and its PREPARE"
                    + " running on the target%n", gid);
            assertClientLostItsCommit(commit);
        }

        // The target's backend does not notice the dead client during pg_sleep: its PREPARE finishes on its own.
        assertTrue(Support.await(Duration.ofSeconds(10), () -> preparedGids(TestDatabases.target()).contains(gid)),
                "the target's PREPARE TRANSACTION did not leave " + gid + " prepared; target has "
                        + preparedGids(TestDatabases.target()));
        assertTrue(preparedGids(TestDatabases.source()).contains(gid), "in doubt on the source too");

        try (ProxyProcess restarted = startTwoPhaseProxy(FreePorts.pick(), proxyId, Map.of())) {
            assertNoExodusPreparedTransactions(restarted);
            assertEquals(0, count(TestDatabases.source(), table), "the undecided row is absent on the source");
            assertEquals(0, count(TestDatabases.target(), table), "the undecided row is absent on the target");
            assertBothSidesAgree(table);
        }
    }

    @Test
    void proxyKilledAfterTheSourcesCommitPreparedHasTheTargetsHalfCommittedAtRestart() throws Exception {
        String table = createTableOnBothSides("decided");
        LocalPostgres source = TestDatabases.source();
        String proxyId = "it_crash_decided";
        int listenPort = FreePorts.pick();
        // The source commits; the proxy never hears it did, so it never sends COMMIT PREPARED to the target.
        try (WithholdingRelay relay = WithholdingRelay.start(source.host(), source.port(), "COMMIT PREPARED 'exodus_");
                ProxyProcess proxy = startTwoPhaseProxy(listenPort, proxyId, Map.of("EXODUS_SOURCE_URL",
                        ConnectionTarget.superuser(source).withPort(relay.port()).url()))) {
            CompletableFuture<SQLException> commit = commitInBackground(listenPort,
                    "insert into " + table + " values (1, 'decided')");
            assertTrue(relay.awaitWithholding(Duration.ofSeconds(20)),
                    Support.withLog(proxy, "the proxy never sent COMMIT PREPARED to the source"));
            assertTrue(Support.await(Duration.ofSeconds(10), () -> ownPrepared(source, proxyId).isEmpty()
                            && count(source, table) == 1),
                    Support.withLog(proxy, "the source's COMMIT PREPARED did not finish"));
            proxy.kill9();
            assertClientLostItsCommit(commit);
        }
        List<String> onTarget = ownPrepared(TestDatabases.target(), proxyId);
        assertEquals(1, onTarget.size(), "the target's half is left prepared by the crash: " + onTarget);
        String gid = onTarget.get(0);
        assertEquals(1, queryLong(source, "select count(*) from exodus.commit_decisions where gid = '" + gid + "'"),
                "the commit decision for " + gid + " is on the source");
        assertEquals(0, count(TestDatabases.target(), table), "the row waits in the target's prepared half");
        System.out.printf("TwoPhaseCommitCrashTest: proxy killed after the source committed %s%n", gid);

        try (ProxyProcess restarted = startTwoPhaseProxy(FreePorts.pick(), proxyId, Map.of())) {
            assertNoExodusPreparedTransactions(restarted);
            assertEquals(1, count(source, table), "the decided row is on the source");
            assertEquals(1, count(TestDatabases.target(), table),
                    Support.withLog(restarted, "the recovery did not commit the target's half of " + gid));
            assertBothSidesAgree(table);
        }
    }

    @Test
    void targetRefusingPrepareLeavesNothingCommitted() throws Exception {
        String table = createTableOnBothSides("refused");
        onTarget("create function refuse_prepare() returns trigger language plpgsql as $$"
                + " begin raise exception using errcode = '" + CHECK_VIOLATION + "',"
                + " message = 'the target refuses this row at commit'; end $$;"
                + " create constraint trigger refuse_prepare after insert on " + table
                + " deferrable initially deferred for each row execute function refuse_prepare()");
        String proxyId = "it_refused_prepare";
        int listenPort = FreePorts.pick();
        try (ProxyProcess proxy = startTwoPhaseProxy(listenPort, proxyId, Map.of());
                Connection client = client(listenPort).openJdbc()) {
            client.setAutoCommit(false);
            execute(client, "insert into " + table + " values (1, 'refused by the target')");
            SQLException refused = assertThrows(SQLException.class, client::commit,
                    Support.withLog(proxy, "COMMIT succeeded although the target's PREPARE fails"));
            System.out.printf("TwoPhaseCommitCrashTest: COMMIT refused by the target: %s %s%n",
                    refused.getSQLState(), refused.getMessage());
            assertEquals(CHECK_VIOLATION, refused.getSQLState(),
                    Support.withLog(proxy, "the client did not get the target's error: " + refused.getMessage()));

            assertTrue(Support.await(Duration.ofSeconds(5), () -> preparedGids(TestDatabases.source()).isEmpty()
                            && preparedGids(TestDatabases.target()).isEmpty()),
                    Support.withLog(proxy, "prepared transactions remain: source " + preparedGids(TestDatabases.source())
                            + ", target " + preparedGids(TestDatabases.target())));
            assertEquals(0, count(TestDatabases.source(), table), "the refused row is absent on the source");
            assertEquals(0, count(TestDatabases.target(), table), "the refused row is absent on the target");
            assertBothSidesAgree(table);
        }
    }

    @Test
    void twoPhaseCommitRefusedAtStartupWhenMaxPreparedTransactionsIsZero() {
        try (LocalPostgres noPreparedTransactions = LocalPostgres.builder()
                .name("no-prepared-transactions")
                .superuser(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD)
                .hostAuthMethod("md5")
                .setting("max_prepared_transactions", "0")
                .tradeDurabilityForSpeed()
                .start()) {
            int listenPort = FreePorts.pick();
            Map<String, String> environment = twoPhaseEnvironment("it_no_prepared", FreePorts.pick());
            environment.put("EXODUS_SOURCE_URL", Support.superuserUrl(TestDatabases.source()));
            environment.put("EXODUS_TARGET_URL", Support.superuserUrl(noPreparedTransactions));
            environment.put("EXODUS_LISTEN_PORT", String.valueOf(listenPort));
            try (ProxyProcess proxy = ProxyProcess.start(Support.proxyJar(), environment, List.of())) {
                assertTrue(Support.await(Duration.ofSeconds(60), () -> !proxy.isAlive()),
                        Support.withLog(proxy, "the proxy still runs although the target allows no prepared"
                                + " transactions"));
                int exitCode = proxy.exitCode().orElseThrow();
                String log = proxy.logText();
                System.out.printf("TwoPhaseCommitCrashTest: proxy exited with %d; its log:%n%s%n", exitCode, log);
                assertNotEquals(0, exitCode, Support.withLog(proxy, "the refused start-up exited with 0"));
                assertTrue(log.contains("max_prepared_transactions") && log.contains("on the target"),
                        Support.withLog(proxy, "the log does not name the setting and the server to change"));
                assertTrue(log.contains("postgresql.conf"), Support.withLog(proxy, "the log does not say how to fix it"));
                assertFalse(Support.listening(listenPort), "the refused proxy never listened");
            }
        }
    }

    /** The packaged proxy in dual-write under two-phase commit, listening and ready once this returns. */
    private static ProxyProcess startTwoPhaseProxy(int listenPort, String proxyId, Map<String, String> overrides) {
        int httpPort = FreePorts.pick();
        Map<String, String> environment = twoPhaseEnvironment(proxyId, httpPort);
        environment.putAll(overrides);
        ProxyProcess proxy = Support.startProxyOnTestDatabases(listenPort, environment);
        Support.HttpAnswer ready = Support.awaitHttp(httpPort, "/q/health/ready", READY_TIMEOUT,
                Support.HttpAnswer::isUp);
        if (!ready.isUp()) {
            String log = proxy.logText();
            proxy.close();
            throw new AssertionError("the proxy did not become ready within " + READY_TIMEOUT + ": " + ready
                    + "\n--- proxy log ---\n" + log);
        }
        return proxy;
    }

    /**
     * The client is the md5 user: an md5 secret is the same on both servers, so the proxy logs in to both with what
     * the client proved; the SCRAM user's secrets differ in their salts, and the target would be left out. No TLS for
     * clients: making the self-signed certificate costs seconds of every start on a busy machine.
     */
    private static Map<String, String> twoPhaseEnvironment(String proxyId, int httpPort) {
        return new HashMap<>(Map.of(
                "EXODUS_AUTH_METHOD", "md5",
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", "dual-write",
                "EXODUS_MIGRATION_POLICY", "two-phase-commit",
                "EXODUS_MIGRATION_PROXY_ID", proxyId,
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort)));
    }

    /** A client's transaction that inserts and commits through the proxy; completes with its failure, or null. */
    private static CompletableFuture<SQLException> commitInBackground(int listenPort, String insert) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection connection = client(listenPort).openJdbc()) {
                connection.setAutoCommit(false);
                execute(connection, insert);
                connection.commit();
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }

    private static void assertClientLostItsCommit(CompletableFuture<SQLException> commit) throws Exception {
        SQLException failure = commit.get(20, TimeUnit.SECONDS);
        assertNotNull(failure, "the client's COMMIT succeeded through a proxy killed before it answered");
        System.out.printf("TwoPhaseCommitCrashTest: the client's COMMIT got %s: %s%n", failure.getSQLState(),
                failure.getMessage());
    }

    /** Waits for a gid of the proxy to be prepared on the server, and returns it. */
    private static String awaitOwnPrepared(LocalPostgres server, String proxyId, ProxyProcess proxy) {
        assertTrue(Support.await(Duration.ofSeconds(20), () -> !ownPrepared(server, proxyId).isEmpty()),
                Support.withLog(proxy, "no transaction of proxy " + proxyId + " got prepared on " + server));
        return ownPrepared(server, proxyId).get(0);
    }

    private static List<String> ownPrepared(LocalPostgres server, String proxyId) {
        return preparedGids(server).stream().filter(gid -> gid.startsWith("exodus_" + proxyId + "_")).toList();
    }

    private static List<String> preparedGids(LocalPostgres server) {
        try {
            return PreparedTransactions.exodusGids(ConnectionTarget.superuser(server));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long preparesRunningOnTarget() {
        return Support.queryLong(TestDatabases.target(), "select count(*) from pg_stat_activity where datname = '"
                + database + "' and state = 'active' and query like 'PREPARE TRANSACTION%'");
    }

    private static void assertNoExodusPreparedTransactions(ProxyProcess proxy) {
        List<String> onSource = preparedGids(TestDatabases.source());
        List<String> onTarget = preparedGids(TestDatabases.target());
        assertTrue(onSource.isEmpty() && onTarget.isEmpty(), Support.withLog(proxy,
                "prepared transactions remain after recovery: source " + onSource + ", target " + onTarget));
    }

    private static void assertBothSidesAgree(String table) throws SQLException {
        TableComparison.assertIdentical(inDatabase(TestDatabases.source()), inDatabase(TestDatabases.target()), table);
    }

    /** The same table on both servers: Exodus does not create application schema. */
    private static String createTableOnBothSides(String table) throws SQLException {
        String ddl = "create table " + table + " (id int primary key, note text);"
                + " grant all on " + table + " to " + TestUsers.MD5_USER;
        executeIn(TestDatabases.source(), ddl);
        executeIn(TestDatabases.target(), ddl);
        return table;
    }

    private static void onTarget(String sql) throws SQLException {
        executeIn(TestDatabases.target(), sql);
    }

    private static long count(LocalPostgres server, String table) {
        return queryLong(server, "select count(*) from " + table);
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

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
