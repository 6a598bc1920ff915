package io.exodus.proxy.consistency;

import io.exodus.proxy.migration.Side;
import io.exodus.proxy.backend.ControlConnections;

import static io.exodus.proxy.consistency.TwoPhaseServers.await;
import static io.exodus.proxy.consistency.TwoPhaseServers.endpoint;
import static io.exodus.proxy.consistency.TwoPhaseServers.execute;
import static io.exodus.proxy.consistency.TwoPhaseServers.prepare;
import static io.exodus.proxy.consistency.TwoPhaseServers.prepared;
import static io.exodus.proxy.consistency.TwoPhaseServers.primary;
import static io.exodus.proxy.consistency.TwoPhaseServers.secondary;
import static io.exodus.proxy.consistency.TwoPhaseServers.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.consistency.InDoubtTransactionResolver.Resolution;
import io.exodus.testsupport.ConnectionTarget;
import io.vertx.core.Vertx;

/**
 * A proxy killed at each step of a two-phase commit leaves the servers in a state that recovery reads back into the
 * decision: commit on the secondary exactly when the primary committed, roll back everything else.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class InDoubtTransactionResolverTest {

    private static final String DATABASE = "exodus_2pc_recovery";
    private static final String TABLE = "exodus_2pc_recovery_rows";
    private static final String OWNER = "exodus_2pc_recovery_owner";
    private static final String CONTROL = "exodus_2pc_recovery_control";
    private static final String PASSWORD = "recovery-secret";

    private static Vertx vertx;
    private static ControlConnections connections;
    private static InDoubtTransactionResolver resolver;
    private static CommitDecisionLog decisions;

    private final GlobalTransactionIds crashed = new GlobalTransactionIds("rt-crashed");
    private final GlobalTransactionIds other = new GlobalTransactionIds("rt-other");

    @BeforeAll
    static void createTheDatabasesAndTheDecisionTable() throws Exception {
        TwoPhaseServers.createDatabaseOnBoth(DATABASE);
        for (var server : List.of(primary(), secondary())) {
            execute(server, DATABASE, "CREATE TABLE " + TABLE + " (id int PRIMARY KEY)");
        }
        vertx = Vertx.vertx();
        connections = new ControlConnections(vertx);
        BackendEndpoint source = endpoint("source", primary(), DATABASE);
        BackendEndpoint target = endpoint("target", secondary(), DATABASE);
        resolver = new InDoubtTransactionResolver(connections, source, target);
        decisions = new CommitDecisionLog(connections, source, target);
        await(decisions.ensure(Side.SOURCE, DATABASE));
        await(decisions.ensure(Side.TARGET, DATABASE));
    }

    @AfterEach
    void rollBackWhatATestLeftAndEmptyTheTables() throws SQLException {
        TwoPhaseServers.rollBackEverythingPrepared(DATABASE);
        execute(primary(), DATABASE, "TRUNCATE " + TABLE, "TRUNCATE exodus.commit_decisions");
        execute(secondary(), DATABASE, "TRUNCATE " + TABLE, "TRUNCATE exodus.commit_decisions");
    }

    @AfterAll
    static void dropTheDatabases() throws Exception {
        if (connections != null) {
            await(connections.closeAll());
        }
        if (vertx != null) {
            await(vertx.close());
        }
        TwoPhaseServers.dropDatabaseOnBoth(DATABASE);
        for (var server : List.of(primary(), secondary())) {
            execute(server, "postgres", "DROP ROLE IF EXISTS " + CONTROL + ", " + OWNER);
        }
    }

    @Test
    void aTransactionPreparedOnlyOnThePrimaryRollsBack() throws Exception {
        String gid = crashed.next(Side.SOURCE);
        crashAfterPrimaryPrepared(gid, 1);

        Resolution resolution = await(resolver.resolveOwn("rt-crashed"));

        assertEquals(new Resolution(0, 1, 0, 0, List.of()), resolution);
        assertNothingPrepared();
        assertRows(Set.of(), Set.of());
    }

    @Test
    void aTransactionPreparedOnBothRollsBackOnBoth() throws Exception {
        String gid = crashed.next(Side.SOURCE);
        crashAfterBothPrepared(gid, 2);

        Resolution resolution = await(resolver.resolveOwn("rt-crashed"));

        assertEquals(new Resolution(0, 1, 0, 1, List.of()), resolution);
        assertNothingPrepared();
        assertRows(Set.of(), Set.of());
    }

    @Test
    void aTransactionThePrimaryCommittedCommitsOnTheSecondary() throws Exception {
        String gid = crashed.next(Side.SOURCE);
        crashAfterPrimaryCommitted(gid, 3);

        Resolution resolution = await(resolver.resolveOwn("rt-crashed"));

        assertEquals(new Resolution(0, 0, 1, 0, List.of()), resolution);
        assertNothingPrepared();
        assertRows(Set.of("3"), Set.of("3"));
    }

    @Test
    void aTransactionThePrimaryRolledBackRollsBackOnTheSecondary() throws Exception {
        String gid = crashed.next(Side.SOURCE);
        crashAfterPrimaryRolledBack(gid, 4);

        Resolution resolution = await(resolver.resolveOwn("rt-crashed"));

        assertEquals(new Resolution(0, 0, 0, 1, List.of()), resolution);
        assertNothingPrepared();
        assertRows(Set.of(), Set.of());
    }

    @Test
    void everyCrashStateAtOnceCommitsExactlyWhereTheDecisionRowExists() throws Exception {
        crashAfterPrimaryPrepared(crashed.next(Side.SOURCE), 1);
        crashAfterBothPrepared(crashed.next(Side.SOURCE), 2);
        String committed = crashed.next(Side.SOURCE);
        crashAfterPrimaryCommitted(committed, 3);
        crashAfterPrimaryRolledBack(crashed.next(Side.SOURCE), 4);

        Resolution resolution = await(resolver.resolveOwn("rt-crashed"));

        assertEquals(new Resolution(0, 2, 1, 2, List.of()), resolution);
        assertNothingPrepared();
        assertRows(Set.of("3"), Set.of("3"));
        assertEquals(Set.of(committed), strings(primary(), DATABASE, "SELECT gid FROM exodus.commit_decisions"));
        assertEquals(Resolution.NONE, await(resolver.resolveOwn("rt-crashed")), "a second run finds nothing");
    }

    /**
     * After the cutover the target decides: its decision row commits the source's half. Recovery took the source for
     * the primary of every transaction, so it rolled back the source's half of a transaction the target had committed
     * (the rows differed, and only a log line said so) and left the target's undecided halves alone.
     */
    @Test
    void afterTheCutoverTheTargetsCommitDecides() throws Exception {
        String committed = crashed.next(Side.TARGET);
        prepare(secondary(), DATABASE, committed, insert(6), CommitDecisionLog.recordSql(committed));
        prepare(primary(), DATABASE, committed, insert(6));
        execute(secondary(), DATABASE, "COMMIT PREPARED '" + committed + "'");
        String undecided = crashed.next(Side.TARGET);
        prepare(secondary(), DATABASE, undecided, insert(7), CommitDecisionLog.recordSql(undecided));
        prepare(primary(), DATABASE, undecided, insert(7));
        String alone = crashed.next(Side.TARGET);
        prepare(secondary(), DATABASE, alone, insert(8), CommitDecisionLog.recordSql(alone));

        Resolution resolution = await(resolver.resolveOwn("rt-crashed"));

        assertEquals(new Resolution(1, 1, 0, 2, List.of()), resolution);
        assertNothingPrepared();
        assertRows(Set.of("6"), Set.of("6"));
    }

    @Test
    void anotherProxysTransactionIsLeftToTheOrphanSweep() throws Exception {
        String gid = other.next(Side.SOURCE);
        crashAfterPrimaryCommitted(gid, 5);

        assertEquals(Resolution.NONE, await(resolver.resolveOwn("rt-crashed")));
        await(resolver.resolveOrphans(Duration.ofHours(1)));
        assertEquals(Set.of(gid), prepared(secondary(), DATABASE), "too young to be an orphan");

        Resolution resolution = await(resolver.resolveOrphans(Duration.ZERO));

        assertTrue(resolution.targetCommitted() >= 1, resolution.toString());
        assertNothingPrepared();
        assertRows(Set.of("5"), Set.of("5"));
    }

    @Test
    void theSecondarysRowsStayLockedUntilRecoveryCommitsThem() throws Exception {
        String gid = crashed.next(Side.SOURCE);
        crashAfterPrimaryCommitted(gid, 6);
        assertEquals("55P03", sqlStateOfInsertingOnTheSecondary(6), "the prepared insert holds the key's lock");

        await(resolver.resolveOwn("rt-crashed"));

        assertEquals("23505", sqlStateOfInsertingOnTheSecondary(6), "the key is committed, and free to check");
    }

    @Test
    void aControlUserInTheOwnersRoleFinishesTransactionsItDidNotPrepare() throws Exception {
        // As on a managed service: the URL's user is no superuser, but a member of the clients' roles.
        for (var server : List.of(primary(), secondary())) {
            execute(server, DATABASE,
                    "DROP ROLE IF EXISTS " + CONTROL + ", " + OWNER,
                    "CREATE ROLE " + OWNER + " LOGIN PASSWORD '" + PASSWORD + "'",
                    "CREATE ROLE " + CONTROL + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE " + OWNER,
                    "GRANT SELECT, INSERT ON " + TABLE + " TO " + OWNER);
        }
        execute(primary(), DATABASE, "GRANT SELECT ON exodus.commit_decisions TO " + CONTROL);
        ConnectionTarget ownerOnPrimary = asRole(primary(), OWNER);
        ConnectionTarget ownerOnSecondary = asRole(secondary(), OWNER);
        String committed = crashed.next(Side.SOURCE);
        prepare(ownerOnPrimary, committed, insert(7), CommitDecisionLog.recordSql(committed));
        prepare(ownerOnSecondary, committed, insert(7));
        execute(primary(), DATABASE, "COMMIT PREPARED '" + committed + "'");
        String undecided = crashed.next(Side.SOURCE);
        prepare(ownerOnPrimary, undecided, insert(8), CommitDecisionLog.recordSql(undecided));
        prepare(ownerOnSecondary, undecided, insert(8));
        ControlConnections asControl = new ControlConnections(vertx);
        try {
            var control = new InDoubtTransactionResolver(asControl,
                    endpoint("source", asRole(primary(), CONTROL)), endpoint("target", asRole(secondary(), CONTROL)));

            Resolution resolution = await(control.resolveOwn("rt-crashed"));

            assertEquals(new Resolution(0, 1, 1, 1, List.of()), resolution);
            assertNothingPrepared();
            assertRows(Set.of("7"), Set.of("7"));
        } finally {
            await(asControl.closeAll());
        }
    }

    // The states a proxy leaves when killed after each step of the commit protocol.

    private static void crashAfterPrimaryPrepared(String gid, int id) throws SQLException {
        prepare(primary(), DATABASE, gid, insert(id), CommitDecisionLog.recordSql(gid));
    }

    private static void crashAfterBothPrepared(String gid, int id) throws SQLException {
        crashAfterPrimaryPrepared(gid, id);
        prepare(secondary(), DATABASE, gid, insert(id));
    }

    private static void crashAfterPrimaryCommitted(String gid, int id) throws SQLException {
        crashAfterBothPrepared(gid, id);
        execute(primary(), DATABASE, "COMMIT PREPARED '" + gid + "'");
    }

    /** A failure before the decision: the proxy rolled back the primary and died before the secondary. */
    private static void crashAfterPrimaryRolledBack(String gid, int id) throws SQLException {
        crashAfterBothPrepared(gid, id);
        execute(primary(), DATABASE, "ROLLBACK PREPARED '" + gid + "'");
    }

    private static String insert(int id) {
        return "INSERT INTO " + TABLE + " (id) VALUES (" + id + ")";
    }

    private static ConnectionTarget asRole(LocalPostgres server, String role) {
        return ConnectionTarget.of(server, role, PASSWORD, DATABASE);
    }

    private static String sqlStateOfInsertingOnTheSecondary(int id) {
        try {
            execute(secondary(), DATABASE, "SET lock_timeout = '200ms'", insert(id));
            return "00000";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static void assertNothingPrepared() throws SQLException {
        assertEquals(Set.of(), prepared(primary(), DATABASE), "prepared on the primary");
        assertEquals(Set.of(), prepared(secondary(), DATABASE), "prepared on the secondary");
    }

    private static void assertRows(Set<String> onPrimary, Set<String> onSecondary) throws SQLException {
        assertEquals(onPrimary, strings(primary(), DATABASE, "SELECT id FROM " + TABLE), "rows on the primary");
        assertEquals(onSecondary, strings(secondary(), DATABASE, "SELECT id FROM " + TABLE), "rows on the secondary");
    }
}
