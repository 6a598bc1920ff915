package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
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
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transaction the secondary committed and the primary did not, under the policies that queue (the secondary commits
 * first there): the primary's COMMIT failed after the secondary's, or the primary's session was lost between the two
 * COMMITs, as when the proxy is killed there. The secondary's commit marker names the primary's transaction; the
 * proxy reads its outcome and reports the transaction, with its tables marked divergent for verification and repair.
 * A deferred constraint trigger on the primary alone makes its COMMIT fail, or wait, on demand.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class SecondaryOnlyCommitTest {
    private static final String DATABASE = "dw_secondary_only";
    private static final Duration FOUND_WITHIN = Duration.ofSeconds(15);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    DivergenceLog divergences;

    private String table;

    @BeforeAll
    static void createDatabase() throws SQLException {
        DualWriteDatabases.recreate(DATABASE);
    }

    @BeforeEach
    void createTable(TestInfo test) throws SQLException {
        table = DualWriteDatabases.ordersTableOf(test, DATABASE);
        run(DualWriteDatabases.primary(DATABASE), """
                create or replace function refuse_at_commit() returns trigger language plpgsql as $$
                begin
                    if new.note = 'refused' then
                        raise exception 'refused at commit' using errcode = '23514';
                    elsif new.note = 'slow' then
                        perform pg_sleep(60);
                    end if;
                    return null;
                end $$""");
        run(DualWriteDatabases.primary(DATABASE), "create constraint trigger refuse_at_commit after insert on " + table
                + " deferrable initially deferred for each row execute function refuse_at_commit()");
    }

    @AfterEach
    void bothRequiredAgain() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    /** The policies under which the secondary commits first and a transaction it misses is queued. */
    static List<ConsistencyPolicy> policiesCommittingTheSecondaryFirst() {
        boolean secondaryIsTarget = DualWriteDatabases.primarySide() == Side.SOURCE;
        return List.of(ConsistencyPolicy.values()).stream()
                .filter(policy -> policy.replaysSecondaryFailures(secondaryIsTarget)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policiesCommittingTheSecondaryFirst")
    void aPrimaryCommitFailingAfterTheSecondarysIsReportedAndItsTableMarked(ConsistencyPolicy policy)
            throws Exception {
        migration.changePolicy(policy);
        double before = divergencesHere();
        try (Connection client = openClient()) {
            insertAndCommit(client, 1, "kept");
            SQLException refused = assertThrows(SQLException.class, () -> insertAndCommit(client, 2, "refused"));
            assertEquals("23514", refused.getSQLState(), refused.toString());
            client.rollback();
        }
        assertEquals(List.of(1), ids(DualWriteDatabases.primary(DATABASE)));
        assertEquals(List.of(1, 2), ids(DualWriteDatabases.secondary(DATABASE)), "the secondary committed first");

        awaitMarkedDivergent();
        assertEquals(before + 1, divergencesHere(), "reported once: " + divergences.recent());
        assertEquals(0, unresolvedMarkers(), "every marker's outcome was read");
    }

    /** The policies under which the secondary decides (the authoritative side), commits first, and queues nothing. */
    static List<ConsistencyPolicy> policiesWhereTheSecondaryDecides() {
        boolean secondaryIsTarget = DualWriteDatabases.primarySide() == Side.SOURCE;
        return List.of(ConsistencyPolicy.values()).stream()
                .filter(policy -> policy.secondaryCommitsFirst(secondaryIsTarget)).toList();
    }

    /**
     * The secondary decides: the client hears that its transaction committed, as the secondary did, and the primary,
     * whose COMMIT failed, lacks it. Reported once the primary's outcome is read; these policies record no statements,
     * so no table is marked.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("policiesWhereTheSecondaryDecides")
    void aPrimaryCommitFailingAfterTheDecidingSecondarysIsReported(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        double before = divergencesHere();
        try (Connection client = openClient()) {
            insertAndCommit(client, 1, "kept");
            insertAndCommit(client, 2, "refused");
        }
        assertEquals(List.of(1), ids(DualWriteDatabases.primary(DATABASE)));
        assertEquals(List.of(1, 2), ids(DualWriteDatabases.secondary(DATABASE)), "the secondary decided");

        long deadline = System.nanoTime() + FOUND_WITHIN.toNanos();
        while (divergencesHere() == before) {
            assertTrue(System.nanoTime() < deadline, "not reported within " + FOUND_WITHIN);
            Thread.sleep(100);
        }
        assertEquals(before + 1, divergencesHere(), "reported once: " + divergences.recent());
        assertEquals(List.of(), divergentReasons(), "its tables are not known");
        assertEquals(0, unresolvedMarkers(), "every marker's outcome was read");
    }

    /**
     * The primary's session ends while its COMMIT runs, after the secondary's: the primary rolls the transaction
     * back, as when the proxy is killed between the two COMMITs and its connections close.
     */
    @Test
    void aPrimarySessionLostBetweenTheTwoCommitsIsFoundByTheMarker() throws Exception {
        double before = divergencesHere();
        try (Connection client = openClient()) {
            CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
                try {
                    insertAndCommit(client, 3, "slow");
                } catch (SQLException expected) {
                    // The client loses its transaction: it was never told that it committed.
                }
            });
            awaitTheSleepingCommit();
            // Still running on the primary: its marker is read (every poll, 1 s) and left for later, not reported.
            Thread.sleep(2_500);
            assertEquals(List.of(), divergentReasons(), "a transaction still committing on the primary was reported");
            assertEquals(before, divergencesHere());
            terminateTheSleepingCommit();
            commit.get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), ids(DualWriteDatabases.primary(DATABASE)));
        assertEquals(List.of(3), ids(DualWriteDatabases.secondary(DATABASE)));

        awaitMarkedDivergent();
        assertEquals(before + 1, divergencesHere(), "reported once: " + divergences.recent());
    }

    @Test
    void transactionsCommittedOnBothLeaveNoMarkerAndNothingToReport() throws Exception {
        double before = divergencesHere();
        try (Connection client = openClient()) {
            for (int id = 1; id <= 20; id++) {
                insertAndCommit(client, id, "kept");
            }
        }
        long deadline = System.nanoTime() + FOUND_WITHIN.toNanos();
        while (unresolvedMarkers() > 0) {
            assertTrue(System.nanoTime() < deadline, "markers were not resolved within " + FOUND_WITHIN);
            Thread.sleep(100);
        }
        assertEquals(0, markers(), "the markers of committed transactions are deleted");
        assertEquals(before, divergencesHere());
        assertEquals(List.of(), divergentReasons());
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    private void awaitTheSleepingCommit() throws Exception {
        long deadline = System.nanoTime() + FOUND_WITHIN.toNanos();
        while (sleepingCommits("pid") == 0) {
            assertTrue(System.nanoTime() < deadline, "the primary's COMMIT never ran the deferred trigger");
            Thread.sleep(50);
        }
    }

    private void terminateTheSleepingCommit() throws Exception {
        assertEquals(1, sleepingCommits("pg_terminate_backend(pid)"));
    }

    private static long sleepingCommits(String select) throws SQLException {
        long found = 0;
        try (Connection primary = DualWriteDatabases.open(DualWriteDatabases.primary(DATABASE));
                Statement statement = primary.createStatement();
                ResultSet rows = statement.executeQuery("select " + select + " from pg_stat_activity where datname = '"
                        + DATABASE + "' and wait_event = 'PgSleep' and pid <> pg_backend_pid()")) {
            while (rows.next()) {
                found++;
            }
        }
        return found;
    }

    private void awaitMarkedDivergent() throws Exception {
        long deadline = System.nanoTime() + FOUND_WITHIN.toNanos();
        List<String> reasons = divergentReasons();
        while (reasons.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the table was not marked divergent within " + FOUND_WITHIN);
            Thread.sleep(100);
            reasons = divergentReasons();
        }
        assertEquals(1, reasons.size(), reasons.toString());
        String secondary = DualWriteDatabases.primarySide().other().configName();
        assertTrue(reasons.get(0).startsWith("a transaction committed on the " + secondary + " only"), reasons.get(0));
        // Reported when the marker was deleted, just after the mark.
        deadline = System.nanoTime() + FOUND_WITHIN.toNanos();
        while (unresolvedMarkers() > 0) {
            assertTrue(System.nanoTime() < deadline, "the marker stayed");
            Thread.sleep(50);
        }
    }

    private double divergencesHere() {
        return divergences.recent().stream().filter(d -> d.kind() == Divergence.Kind.COMMIT_FAILED
                && d.fingerprint().equals("COMMIT in " + DATABASE)).count();
    }

    private List<String> divergentReasons() throws SQLException {
        List<String> reasons = new ArrayList<>();
        try (Connection primary = DualWriteDatabases.open(DualWriteDatabases.primary(DATABASE));
                Statement statement = primary.createStatement();
                ResultSet rows = statement.executeQuery("select reason from exodus.divergent_tables "
                        + "where table_name like '%" + table + "'")) {
            while (rows.next()) {
                reasons.add(rows.getString(1));
            }
        }
        return reasons;
    }

    private static long unresolvedMarkers() throws SQLException {
        return count("select count(*) from exodus.commit_markers where primary_xid is not null");
    }

    private static long markers() throws SQLException {
        return count("select count(*) from exodus.commit_markers");
    }

    private static long count(String sql) throws SQLException {
        try (Connection secondary = DualWriteDatabases.open(DualWriteDatabases.secondary(DATABASE));
                Statement statement = secondary.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private Connection openClient() throws SQLException {
        Connection connection = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
        connection.setAutoCommit(false);
        return connection;
    }

    private void insertAndCommit(Connection client, int id, String note) throws SQLException {
        try (Statement statement = client.createStatement()) {
            statement.executeUpdate("insert into " + table + " values (" + id + ", '" + note + "')");
        }
        client.commit();
    }

    private List<Integer> ids(ConnectionTarget server) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = DualWriteDatabases.open(server); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select id from " + table + " order by id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }

    private static void run(ConnectionTarget server, String sql) throws SQLException {
        try (Connection connection = DualWriteDatabases.open(server); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
