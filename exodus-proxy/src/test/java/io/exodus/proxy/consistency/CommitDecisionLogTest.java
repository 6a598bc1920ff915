package io.exodus.proxy.consistency;

import io.exodus.proxy.migration.Side;
import io.exodus.proxy.backend.ControlConnections;

import static io.exodus.proxy.consistency.TwoPhaseServers.await;
import static io.exodus.proxy.consistency.TwoPhaseServers.endpoint;
import static io.exodus.proxy.consistency.TwoPhaseServers.execute;
import static io.exodus.proxy.consistency.TwoPhaseServers.prepare;
import static io.exodus.proxy.consistency.TwoPhaseServers.primary;
import static io.exodus.proxy.consistency.TwoPhaseServers.secondary;
import static io.exodus.proxy.consistency.TwoPhaseServers.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TestUsers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CommitDecisionLogTest {

    private static final String DATABASE = "exodus_2pc_decisions";
    private static final int PROXIES = 8;

    private static Vertx vertx;
    private static BackendEndpoint source;
    private static BackendEndpoint target;
    private final List<ControlConnections> opened = new ArrayList<>();

    @BeforeAll
    static void createTheDatabases() throws SQLException {
        TwoPhaseServers.createDatabaseOnBoth(DATABASE);
        vertx = Vertx.vertx();
        source = endpoint("source", primary(), DATABASE);
        target = endpoint("target", secondary(), DATABASE);
    }

    @BeforeEach
    void startWithoutTheTable() throws SQLException {
        execute(primary(), DATABASE, "DROP SCHEMA IF EXISTS exodus CASCADE");
    }

    @AfterEach
    void closeTheProxiesConnections() throws Exception {
        TwoPhaseServers.rollBackEverythingPrepared(DATABASE);
        for (ControlConnections connections : opened) {
            await(connections.closeAll());
        }
    }

    @AfterAll
    static void dropTheDatabases() throws Exception {
        if (vertx != null) {
            await(vertx.close());
        }
        TwoPhaseServers.dropDatabaseOnBoth(DATABASE);
    }

    @Test
    void ensureCreatesTheTableOnceAndAgainIsHarmless() throws Exception {
        CommitDecisionLog log = aProxysLog();

        await(log.ensure(Side.SOURCE, DATABASE));
        await(log.ensure(Side.SOURCE, DATABASE));
        await(aProxysLog().ensure(Side.SOURCE, DATABASE));

        assertEquals(Set.of("decided_at", "gid"), strings(primary(), DATABASE, "SELECT column_name"
                + " FROM information_schema.columns WHERE table_schema = 'exodus' AND table_name = 'commit_decisions'"));
        assertEquals(Set.of(new CommitDecisionLog.Ensured(Side.SOURCE, DATABASE)), log.ensuredDatabases());
    }

    @Test
    void proxiesStartingTogetherAllEnsureTheTable() throws Exception {
        for (int round = 0; round < 5; round++) {
            execute(primary(), DATABASE, "DROP SCHEMA IF EXISTS exodus CASCADE");
            List<Future<Void>> ensures = new ArrayList<>();
            for (int proxy = 0; proxy < PROXIES; proxy++) {
                ensures.add(aProxysLog().ensure(Side.SOURCE, DATABASE));
            }

            await(Future.all(ensures));
        }
        assertEquals(Set.of("commit_decisions"), strings(primary(), DATABASE,
                "SELECT tablename FROM pg_tables WHERE schemaname = 'exodus'"));
    }

    @Test
    void aClientRoleCanRecordItsDecisionInsideItsTransaction() throws Exception {
        await(aProxysLog().ensure(Side.SOURCE, DATABASE));
        String gid = new GlobalTransactionIds("decisions").next(Side.SOURCE);

        try (Connection client = ConnectionTarget.of(primary(), TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, DATABASE)
                .openJdbc(); Statement statement = client.createStatement()) {
            statement.execute(CommitDecisionLog.recordSql(gid));
        }

        assertEquals(Set.of(gid), strings(primary(), DATABASE, "SELECT gid FROM exodus.commit_decisions"));
    }

    @Test
    void theDecisionIsReadBackAndAMissingTableMeansNoDecision() throws Exception {
        CommitDecisionLog log = aProxysLog();
        String gid = new GlobalTransactionIds("decisions").next(Side.SOURCE);
        assertFalse(await(log.isCommitted(Side.SOURCE, DATABASE, gid)), "no table yet");

        await(log.ensure(Side.SOURCE, DATABASE));
        assertFalse(await(log.isCommitted(Side.SOURCE, DATABASE, gid)));
        execute(primary(), DATABASE, CommitDecisionLog.recordSql(gid));

        assertTrue(await(log.isCommitted(Side.SOURCE, DATABASE, gid)));
    }

    @Test
    void recordSqlTakesOnlyExodusGids() {
        assertEquals("INSERT INTO exodus.commit_decisions (gid) VALUES ('exodus_p_12')",
                CommitDecisionLog.recordSql("exodus_p_12"));
        for (String bad : new String[] {"exodus_p_1'); DROP TABLE t; --", "other_p_1", "exodus_", "", null}) {
            assertThrows(IllegalArgumentException.class, () -> CommitDecisionLog.recordSql(bad), bad);
        }
    }

    @Test
    void purgingKeepsRecentDecisionsAndThoseTheSecondaryStillNeeds() throws Exception {
        CommitDecisionLog log = aProxysLog();
        await(log.ensure(Side.SOURCE, DATABASE));
        GlobalTransactionIds ids = new GlobalTransactionIds("decisions");
        String old = ids.next(Side.SOURCE);
        String oldButStillPrepared = ids.next(Side.SOURCE);
        String recent = ids.next(Side.SOURCE);
        execute(primary(), DATABASE,
                "INSERT INTO exodus.commit_decisions VALUES ('" + old + "', now() - interval '2 hours')",
                "INSERT INTO exodus.commit_decisions VALUES ('" + oldButStillPrepared + "', now() - interval '2 hours')",
                CommitDecisionLog.recordSql(recent));
        prepare(secondary(), DATABASE, oldButStillPrepared, "SELECT 1");

        assertEquals(1, await(log.purgeOlderThan(Side.SOURCE, DATABASE, Duration.ofHours(1))));

        assertEquals(Set.of(oldButStillPrepared, recent),
                strings(primary(), DATABASE, "SELECT gid FROM exodus.commit_decisions"));
    }

    /** Each proxy has its own connections and its own memory of which tables exist. */
    private CommitDecisionLog aProxysLog() {
        ControlConnections connections = new ControlConnections(vertx);
        opened.add(connections);
        return new CommitDecisionLog(connections, source, target);
    }
}
