package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TableComparison;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static io.exodus.proxy.dualwrite.DualWriteDatabases.count;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Best-effort in mode queued (ADR 0049): the client's COMMIT is answered once the source committed, with the
 * transaction's queue entry inside it, and the replayer brings every transaction to the target, in commit order,
 * with the source's values.
 */
@QuarkusTest
@TestProfile(BestEffortQueuedProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class BestEffortQueuedTest {
    private static final String DATABASE = "dw_best_effort_queued";
    private static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    DivergenceLog divergences;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    /**
     * A target that holds a lock on the table does not hold the client back: under best-effort live, each of these
     * writes would wait for the lock (past the query timeout); queued, they are answered by the source alone, and
     * reach the target once it lets go.
     */
    @Test
    void aCommitDoesNotWaitForTheTarget() throws Exception {
        double before = divergences.total();
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists notes");
        DualWriteDatabases.onBoth(DATABASE, "create table notes (id bigserial primary key, body text not null,"
                + " written timestamptz not null default clock_timestamp(), token uuid default gen_random_uuid())");
        try (Connection lock = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement locking = lock.createStatement();
                Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            lock.setAutoCommit(false);
            locking.execute("lock table notes in access exclusive mode");
            try (PreparedStatement insert = client.prepareStatement("insert into notes (body) values (?)")) {
                insert.setQueryTimeout(10);
                insert.setString(1, "autocommit");
                insert.executeUpdate();
                client.setAutoCommit(false);
                for (int i = 0; i < 20; i++) {
                    insert.setString(1, "in a transaction " + i);
                    insert.executeUpdate();
                }
                client.commit();
                client.setAutoCommit(true);
            }
            assertEquals(21, count(DualWriteDatabases.source(DATABASE), "select count(*) from notes"));
            assertTrue(count(DualWriteDatabases.source(DATABASE), "select count(*) from exodus.replay_queue") >= 1,
                    "the transactions wait in the source's queue while the target holds its lock");
            lock.rollback();
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        // Ids, timestamps and uuids the source drew: the target holds the same values, not its own.
        DualWriteDatabases.assertIdentical(DATABASE, "notes");
        assertEquals(before, divergences.total(), "nothing was left out of the queue: " + divergences.recent());
    }

    /**
     * A session's temporary table never reaches the target, and needs not: what the session writes from it into a
     * permanent table reaches the target as the rows the source wrote.
     */
    @Test
    void rowsWrittenFromATemporaryTableReachTheTarget() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists staged");
        DualWriteDatabases.onBoth(DATABASE, "create table staged (id int primary key, body text not null)");
        double before = divergences.total();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("create temporary table incoming (id int, body text)");
            statement.execute("insert into incoming select g, 'row ' || g from generate_series(1, 50) g");
            statement.execute("insert into staged select id, body from incoming");
            client.setAutoCommit(false);
            statement.execute("delete from incoming where id > 40");
            statement.execute("update staged set body = body || ' seen' where id in (select id from incoming)");
            client.commit();
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "staged");
        assertEquals(before, divergences.total(), "no divergence: " + divergences.recent());
    }

    /**
     * In phase canary the target answers reads, which must see the session's own writes: best-effort runs live there,
     * and a session's write is on the target when its next read goes there.
     */
    @Test
    void inPhaseCanaryASessionReadsItsOwnWriteOnTheTarget() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists probe");
        DualWriteDatabases.onBoth(DATABASE, "create table probe (id int primary key, answered_by text)");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists seen");
        DualWriteDatabases.onBoth(DATABASE, "create table seen (id int primary key)");
        try (Connection source = DualWriteDatabases.source(DATABASE).openJdbc();
                Connection target = DualWriteDatabases.target(DATABASE).openJdbc()) {
            source.createStatement().execute("insert into probe values (1, 'source')");
            target.createStatement().execute("insert into probe values (1, 'target')");
        }
        admin("{\"phase\": \"canary\"}", "/exodus/migration/phase");
        admin("{\"percent\": 100}", "/exodus/migration/canary");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            for (int i = 1; i <= 20; i++) {
                statement.executeUpdate("insert into seen values (" + i + ")");
                try (ResultSet read = statement.executeQuery("select (select answered_by from probe), count(*)"
                        + " from seen")) {
                    read.next();
                    assertEquals("target", read.getString(1), "the canary read went to the target");
                    assertEquals(i, read.getLong(2), "the target holds the session's own writes");
                }
            }
        } finally {
            admin("{\"phase\": \"dual-write\"}", "/exodus/migration/phase");
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "seen");
    }

    private static void admin(String body, String path) {
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body(body).put(path).then().log().ifValidationFails().statusCode(200);
    }

    /** pgbench's TPC-B with 8 clients on a hot branch row: the target ends with the source's rows, value by value. */
    @Test
    void eightClientsOfTpcbConverge() throws Exception {
        double before = divergences.total();
        Pgbench.against(DualWriteDatabases.source(DATABASE)).initialize(1).requireSuccess();
        Pgbench.against(DualWriteDatabases.target(DATABASE)).initialize(1).requireSuccess();
        ConnectionTarget proxy = DualWriteDatabases.proxy(port, DATABASE);
        PgbenchResult result = Pgbench.against(proxy)
                .run(QueryMode.PREPARED, 8, 2, Duration.ofSeconds(10), BuiltinScript.TPCB_LIKE).requireSuccess();
        assertEquals(0, result.failedTransactions().orElse(0), result.stdout());
        assertTrue(result.processedTransactions().orElse(0) > 0, result.stdout());

        CatchUpDrain.await(DRAIN_WITHIN);
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                TableComparison.PGBENCH_TABLES);
        assertEquals(before, divergences.total(), "nothing was left out of the queue: " + divergences.recent());
        // QueueVacuum: the applier vacuums the queue it deletes from (autovacuum's own runs are counted apart).
        assertTrue(count(DualWriteDatabases.source(DATABASE), "SELECT vacuum_count FROM pg_stat_user_tables "
                + "WHERE relid = 'exodus.replay_queue'::regclass") > 0, "the applier vacuumed the queue");
    }
}
