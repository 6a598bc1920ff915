package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.TwoPhaseRecovery;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.testsupport.BankRun;
import io.exodus.testsupport.BankWorkload;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.PreparedTransactions;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What clients see when the secondary stops in the middle of dual-write, per policy (docs/dual-write.md, "Consistency
 * policies"): two-phase-commit and the policy that makes the secondary authoritative (new-authoritative before the
 * cutover) refuse writes cleanly while it is down and write again once it is back; the others go on on the primary
 * and queue what the secondary missed, which the replayer applies once it is back. Before the cutover the target
 * stops; after it the source does ({@link DualWriteSourceFailureAfterCutoverTest}).
 *
 * <p>The servers are shared by every test class of the JVM: each test starts them again in
 * {@link #secondaryRunsAgain()}.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteTargetFailureTest {
    private static final String DATABASE = "dw_target_failure";
    private static final String CONNECTION_FAILURE = "08006";
    private static final Duration BACK_WITHIN = Duration.ofSeconds(20);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    private String table;

    /**
     * The shared servers run with synchronous_commit off, so an immediate shutdown would lose the last commits the
     * target acknowledged; in this database commits are durable, as on a real server.
     */
    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreateWithDurableCommits(DATABASE);
    }

    @BeforeEach
    void createTable(TestInfo test) throws SQLException {
        table = DualWriteDatabases.ordersTableOf(test, DATABASE);
    }

    @AfterEach
    void secondaryRunsAgain() throws Exception {
        TestDatabases.startTarget();
        TestDatabases.startSource();
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        CatchUpDrain.await(BACK_WITHIN);
        // A safety net for the other test classes on these servers: a leftover would hold its row locks. The tests
        // that can leave one assert that they did not.
        PreparedTransactions.rollbackAll(ConnectionTarget.superuser(TestDatabases.source()));
        PreparedTransactions.rollbackAll(ConnectionTarget.superuser(TestDatabases.target()));
        given().get("/q/health/ready").then().statusCode(200);
    }

    // ---- policies that need the secondary ----------------------------------------------------------------------

    /** The policies whose client fails with the secondary in this direction. */
    static List<ConsistencyPolicy> policiesNeedingTheSecondary() {
        return List.of(ConsistencyPolicy.values()).stream()
                .filter(policy -> policy.secondaryFailureFailsClient(secondaryIsTarget())).toList();
    }

    /** The policies that let the primary go on alone in this direction. */
    static List<ConsistencyPolicy> policiesGoingOnWithoutTheSecondary() {
        return List.of(ConsistencyPolicy.values()).stream()
                .filter(policy -> !policy.secondaryFailureFailsClient(secondaryIsTarget())).toList();
    }

    /** Every policy but two-phase-commit. */
    static List<ConsistencyPolicy> policiesWithoutTwoPhaseCommit() {
        return List.of(ConsistencyPolicy.values()).stream()
                .filter(policy -> policy != ConsistencyPolicy.TWO_PHASE_COMMIT).toList();
    }

    private static boolean secondaryIsTarget() {
        return DualWriteDatabases.primarySide() == Side.SOURCE;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policiesNeedingTheSecondary")
    void writesFailCleanlyWhileTheSecondaryIsDownAndSucceedOnceItIsBack(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        try (Connection client = openClient()) {
            insertAndCommit(client, 1);

            stopSecondaryWhileIdle(client);
            assertRefused(() -> insertAndCommit(client, 2), client);
            assertRefused(() -> insertInAutocommit(client, 3), client);
            try (Connection openedWhileDown = openClient()) {
                assertRefused(() -> insertAndCommit(openedWhileDown, 4), openedWhileDown);
            }
            assertEquals(List.of(1), ids(DualWriteDatabases.primary(DATABASE)), "nothing of a refused write commits");
            given().get("/q/health/ready").then().statusCode(503);

            startSecondary();
            // An autocommit write is a transaction boundary: the session tries the secondary again (at most every
            // DualWriteProfile.SECONDARY_RECONNECT).
            awaitWriteAccepted(client, 5);
            insertAndCommit(client, 6);
        }
        try (Connection openedAfterwards = openClient()) {
            insertAndCommit(openedAfterwards, 7);
        }
        assertEquals(List.of(1, 5, 6, 7), ids(DualWriteDatabases.primary(DATABASE)));
        DualWriteDatabases.assertIdentical(DATABASE, table);
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.source(DATABASE)));
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.target(DATABASE)));
    }

    /**
     * Most applications write in explicit transactions only: pgJDBC with autocommit off sends BEGIN as a Query of its
     * own ahead of the first statement, and psql, pgbench -M simple and most libpq programs send BEGIN as a request of
     * its own too. Such a session must find its way back to the secondary as well, not only through autocommit writes.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(ExplicitTransactions.class)
    void twoPhaseCommitSessionWritingOnlyInExplicitTransactionsWritesAgainOnceTheSecondaryIsBack(
            ExplicitTransactions style) throws Exception {
        migration.changePolicy(ConsistencyPolicy.TWO_PHASE_COMMIT);
        try (Connection client = style.open(this)) {
            style.insert(this, client, 1);

            stopSecondaryWhileIdle(client);
            assertRefused(() -> style.insert(this, client, 2), client);
            startSecondary();

            long deadline = System.nanoTime() + BACK_WITHIN.toNanos();
            for (int id = 3; ; id++) {
                try {
                    style.insert(this, client, id);
                    break;
                } catch (SQLException refused) {
                    assertEquals(CONNECTION_FAILURE, refused.getSQLState(), refused.toString());
                    rollbackQuietly(client);
                    assertTrue(System.nanoTime() < deadline, "the session did not write again within " + BACK_WITHIN
                            + " after the secondary came back: " + refused);
                    Thread.sleep(250);
                }
            }
        }
        // The client had its first COMMIT once the primary committed; the secondary's COMMIT PREPARED followed, and the
        // secondary may have stopped before it arrived. Its half is then in doubt until recovery's next sweep commits
        // it.
        awaitNoExodusTransactionInDoubtOnTheSecondary();
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    private static void awaitNoExodusTransactionInDoubtOnTheSecondary() throws Exception {
        long deadline = System.nanoTime() + TwoPhaseRecovery.SWEEP_INTERVAL.plusSeconds(15).toNanos();
        List<String> inDoubt = PreparedTransactions.exodusGids(DualWriteDatabases.secondary(DATABASE));
        while (!inDoubt.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "recovery left in doubt on the secondary: " + inDoubt);
            Thread.sleep(250);
            inDoubt = PreparedTransactions.exodusGids(DualWriteDatabases.secondary(DATABASE));
        }
    }

    /** How a client writes in explicit transactions. */
    enum ExplicitTransactions {
        /** setAutoCommit(false) … commit(). */
        JDBC_AUTOCOMMIT_OFF {
            @Override
            Connection open(DualWriteTargetFailureTest test) throws SQLException {
                return test.openClient();
            }

            @Override
            void insert(DualWriteTargetFailureTest test, Connection client, int id) throws SQLException {
                test.insertAndCommit(client, id);
            }
        },
        /** BEGIN, INSERT and COMMIT as three simple Queries, as psql sends them. */
        SEPARATE_BEGIN_AND_COMMIT {
            @Override
            Connection open(DualWriteTargetFailureTest test) throws SQLException {
                Connection connection = test.openClient("preferQueryMode", "simple");
                connection.setAutoCommit(true);
                return connection;
            }

            @Override
            void insert(DualWriteTargetFailureTest test, Connection client, int id) throws SQLException {
                test.insertInSeparateBeginCommit(client, id);
            }
        };

        abstract Connection open(DualWriteTargetFailureTest test) throws SQLException;

        abstract void insert(DualWriteTargetFailureTest test, Connection client, int id) throws SQLException;
    }

    // ---- policies that let the primary go on alone -----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("policiesGoingOnWithoutTheSecondary")
    void servesFromThePrimaryWhileTheSecondaryIsDownAndReplaysWhatItMissedOnceItIsBack(ConsistencyPolicy policy)
            throws Exception {
        migration.changePolicy(policy);
        try (Connection client = openClient()) {
            insertAndCommit(client, 1);

            stopSecondaryWhileIdle(client);
            insertAndCommit(client, 2);
            insertInAutocommit(client, 3);
            try (Connection openedWhileDown = openClient()) {
                insertAndCommit(openedWhileDown, 4);
            }
            assertEquals(List.of(1, 2, 3, 4), ids(DualWriteDatabases.primary(DATABASE)));
            assertEquals(3, queued(), "each transaction the secondary missed waits in the queue on the primary");
            given().get("/q/health/ready").then().statusCode(200);

            startSecondary();
            CatchUpDrain.await(BACK_WITHIN);
            assertEquals(List.of(1, 2, 3, 4), ids(DualWriteDatabases.secondary(DATABASE)), "replayed");
            assertEquals(0, queued());

            insertAndCommit(client, 5);
            try (Connection openedAfterwards = openClient()) {
                insertAndCommit(openedAfterwards, 6);
            }
        }
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    /**
     * A session that wrote while the secondary was down goes on writing after it came back: its later writes go to the
     * queue behind the earlier ones (they must not reach the secondary first) until it has drained, then live again.
     */
    @Test
    void aSessionThatMissedTheSecondaryWritesInOrderOnceTheSecondaryIsBack() throws Exception {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        try (Connection client = openClient()) {
            insertAndCommit(client, 1);
            stopSecondaryWhileIdle(client);
            insertAndCommit(client, 2);
            updateNote(client, 2, "changed while the secondary was down");
            startSecondary();

            updateNote(client, 2, "changed after the secondary came back");
            insertInAutocommit(client, 3);
            CatchUpDrain.await(BACK_WITHIN);
            updateNote(client, 3, "changed once the queue had drained");
        }
        assertEquals(List.of(1, 2, 3), ids(DualWriteDatabases.secondary(DATABASE)));
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    // ---- a workload running when the secondary crashes -------------------------------------------------------------

    /**
     * Transfers run while the secondary crashes and restarts: each side stays atomic (its total is unchanged), and
     * under the policies that let the primary go on alone no client sees an error. Two-phase commit is left out here:
     * a crash between the two COMMIT PREPAREDs leaves the secondary's half to the recovery sweep, which runs every 30 s
     * (see TwoPhaseCommitCrashTest in integration-tests).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("policiesWithoutTwoPhaseCommit")
    void transfersRunningWhenTheSecondaryCrashesKeepBothTotals(ConsistencyPolicy policy) throws Exception {
        BankWorkload bank = new BankWorkload(table, 40).withSocketTimeout(Duration.ofSeconds(10));
        bank.create(DualWriteDatabases.source(DATABASE));
        bank.create(DualWriteDatabases.target(DATABASE));
        migration.changePolicy(policy);

        CompletableFuture<BankRun> running = CompletableFuture.supplyAsync(
                () -> bank.run(DualWriteDatabases.proxy(port, DATABASE), 6, Duration.ofSeconds(4)));
        Thread.sleep(1_000);
        if (secondaryIsTarget()) {
            TestDatabases.crashAndRestartTarget();
        } else {
            TestDatabases.crashAndRestartSource();
        }
        BankRun run = running.get(60, TimeUnit.SECONDS);

        assertTrue(run.committed() > 0, run.toString());
        assertEquals(bank.expectedTotal(), bank.total(DualWriteDatabases.source(DATABASE)), "source total; " + run);
        assertEquals(bank.expectedTotal(), bank.total(DualWriteDatabases.target(DATABASE)), "target total; " + run);
        if (!policy.secondaryFailureFailsClient(secondaryIsTarget())) {
            run.requireNoFailures();
            CatchUpDrain.await(BACK_WITHIN);
            DualWriteDatabases.assertIdentical(DATABASE, table);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /**
     * A round trip first: the proxy finishes the secondary's part of the session's last commit (COMMIT PREPARED on the
     * secondary under two-phase commit) before it takes the next request, so the crash hits an idle session.
     */
    private static void stopSecondaryWhileIdle(Connection session) throws SQLException {
        try (Statement statement = session.createStatement(); ResultSet one = statement.executeQuery("select 1")) {
            assertTrue(one.next());
        }
        rollbackQuietly(session);
        if (secondaryIsTarget()) {
            TestDatabases.stopTargetImmediately();
        } else {
            TestDatabases.stopSourceImmediately();
        }
    }

    private static void startSecondary() {
        if (secondaryIsTarget()) {
            TestDatabases.startTarget();
        } else {
            TestDatabases.startSource();
        }
    }

    private Connection openClient(String... properties) throws SQLException {
        Connection connection = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE), properties);
        connection.setAutoCommit(false);
        return connection;
    }

    private void insertAndCommit(Connection client, int id) throws SQLException {
        client.setAutoCommit(false);
        try (PreparedStatement insert = client.prepareStatement("insert into " + table + " values (?, ?)")) {
            insert.setInt(1, id);
            insert.setString(2, "order " + id);
            insert.executeUpdate();
        }
        client.commit();
    }

    private void updateNote(Connection client, int id, String note) throws SQLException {
        client.setAutoCommit(false);
        try (PreparedStatement update = client.prepareStatement("update " + table + " set note = ? where id = ?")) {
            update.setString(1, note);
            update.setInt(2, id);
            assertEquals(1, update.executeUpdate());
        }
        client.commit();
    }

    /** Entries of the queue table on the primary (all tests of this class write to the one database). */
    private static long queued() throws SQLException {
        try (Connection primary = DualWriteDatabases.primary(DATABASE).openJdbc();
                Statement statement = primary.createStatement();
                ResultSet count = statement.executeQuery("select count(*) from exodus.replay_queue")) {
            count.next();
            return count.getLong(1);
        }
    }

    private void insertInAutocommit(Connection client, int id) throws SQLException {
        client.setAutoCommit(true);
        try (Statement insert = client.createStatement()) {
            insert.execute("insert into " + table + " values (" + id + ", 'order " + id + "')");
        } finally {
            client.setAutoCommit(false);
        }
    }

    private void insertInSeparateBeginCommit(Connection client, int id) throws SQLException {
        try (Statement statement = client.createStatement()) {
            statement.execute("begin");
            statement.execute("insert into " + table + " values (" + id + ", 'order " + id + "')");
            statement.execute("commit");
        }
    }

    private interface Write {
        void run() throws SQLException;
    }

    /** The write fails with connection_failure, and the session is usable afterwards. */
    private static void assertRefused(Write write, Connection client) throws SQLException {
        SQLException refused = assertThrows(SQLException.class, write::run);
        assertEquals(CONNECTION_FAILURE, refused.getSQLState(), refused.toString());
        rollbackQuietly(client);
        try (Statement statement = client.createStatement(); ResultSet one = statement.executeQuery("select 1")) {
            assertTrue(one.next());
        }
        rollbackQuietly(client);
    }

    private static void rollbackQuietly(Connection client) throws SQLException {
        if (!client.getAutoCommit()) {
            client.rollback();
        } else {
            try (Statement statement = client.createStatement()) {
                statement.execute("rollback");
            }
        }
    }

    /**
     * Retries an autocommit write every 250 ms until the session has the secondary again; each refusal is a clean
     * 08006.
     */
    private void awaitWriteAccepted(Connection client, int id) throws Exception {
        long deadline = System.nanoTime() + BACK_WITHIN.toNanos();
        while (true) {
            try {
                insertInAutocommit(client, id);
                return;
            } catch (SQLException refused) {
                assertEquals(CONNECTION_FAILURE, refused.getSQLState(), refused.toString());
                assertTrue(System.nanoTime() < deadline, "the session did not write again within " + BACK_WITHIN
                        + " after the secondary came back: " + refused);
                Thread.sleep(250);
            }
        }
    }

    private List<Integer> ids(ConnectionTarget side) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = DualWriteDatabases.open(side); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select id from " + table + " order by id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }
}
