package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statements through a dual-writing proxy land on both databases. */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteBasicsTest {
    private static final String DATABASE = "dw_basics";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @jakarta.inject.Inject
    io.exodus.proxy.migration.MigrationState migration;

    @jakarta.inject.Inject
    io.exodus.proxy.consistency.DivergenceLog divergences;

    /**
     * The row-count test leaves a transaction in the replay queue (the target has no row to update); until it has
     * been replayed, writes of this database go through the queue too, so the next test waits for it.
     */
    @AfterEach
    void backToDefaultPolicy() throws InterruptedException {
        migration.changePolicy(io.exodus.proxy.migration.ConsistencyPolicy.BOTH_REQUIRED);
        CatchUpDrain.await(Duration.ofSeconds(60));
    }

    @BeforeAll
    static void createDatabase() throws SQLException {
        DualWriteDatabases.recreate(DATABASE);
    }

    private ConnectionTarget proxy() {
        return ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, DATABASE);
    }

    @Test
    void psqlWritesReachBothDatabases() throws SQLException {
        DualWriteDatabases.onBoth(DATABASE, "create table items (id int primary key, label text)");
        String out = Psql.against(proxy()).script("""
                insert into items values (1, 'one'), (2, 'two');
                begin;
                update items set label = 'uno' where id = 1;
                insert into items values (3, 'three');
                commit;
                begin;
                insert into items values (4, 'rolled back');
                rollback;
                delete from items where id = 2;
                select string_agg(id || '=' || label, ',' order by id) from items;
                """).requireSuccess().stdout();
        assertEquals(true, out.contains("1=uno,3=three"), out);
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                "items");
    }

    /**
     * The commit marker's read of the primary's transaction is made ahead of the COMMIT, at the transaction's first
     * write. A transaction made read-only after it wrote (by SET TRANSACTION, set_config, or a function of the
     * database's own) is read again at its COMMIT, and commits on both as it does
     * directly: with the read made ahead, the marker's INSERT would be refused in the secondary's read-only
     * transaction, and so would the queue entry in the primary's, failing the client's COMMIT.
     */
    @Test
    void aTransactionMadeReadOnlyAfterItWroteCommitsOnBoth() throws SQLException {
        DualWriteDatabases.onBoth(DATABASE, "create table frozen (id int primary key)");
        String out = Psql.against(proxy()).script("""
                begin;
                insert into frozen values (1);
                set transaction read only;
                commit;
                begin;
                insert into frozen values (2);
                select set_config('transaction_read_only', 'on', true);
                commit;
                create function freeze() returns void language sql
                    as $$ select set_config('transaction_read_only', 'on', true) $$;
                begin;
                insert into frozen values (3);
                select freeze();
                commit;
                select 'rows: ' || count(*) from frozen;
                """).requireSuccess().stdout();
        assertTrue(out.contains("rows: 3"), out);
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                "frozen");
    }

    @Test
    void ddlThroughTheProxyRunsOnBothSides() throws SQLException {
        Psql.against(proxy()).script("""
                create table ddl_items (id int primary key);
                alter table ddl_items add column label text not null default 'none';
                create index ddl_items_label on ddl_items (label);
                insert into ddl_items (id) values (1), (2);
                create view ddl_labels as select label from ddl_items;
                """).requireSuccess();
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                "ddl_items", "ddl_labels");
        String indexes = "select count(*) from pg_indexes where tablename = 'ddl_items'";
        assertEquals("2", Psql.against(DualWriteDatabases.target(DATABASE)).query(indexes));
    }

    @Test
    void aRowCountThatDiffersIsADivergenceThatTwoPhaseCommitTurnsIntoAnError() throws SQLException {
        DualWriteDatabases.onBoth(DATABASE, "create table drifted (id int primary key, n int)");
        // A row the secondary does not have: the same UPDATE changes one row on the primary and none on the secondary.
        try (var connection = DualWriteDatabases.primary(DATABASE).openJdbc();
                var statement = connection.createStatement()) {
            statement.execute("insert into drifted values (1, 0)");
        }
        migration.changePolicy(io.exodus.proxy.migration.ConsistencyPolicy.TWO_PHASE_COMMIT);
        double before = divergences.count(io.exodus.proxy.consistency.Divergence.Kind.ROW_COUNT);
        try (var client = proxy().openJdbc(); var statement = client.createStatement()) {
            java.sql.SQLException refused = assertThrows(java.sql.SQLException.class,
                    () -> statement.executeUpdate("update drifted set n = n + 1 where id = 1"));
            assertTrue(refused.getMessage().contains("the " + DualWriteDatabases.primarySide().other().configName()
                    + " changed other rows"), refused.getMessage());
        }
        assertEquals("0", Psql.against(DualWriteDatabases.primary(DATABASE)).query("select n from drifted"),
                "rolled back on the primary too");
        assertEquals(before + 1, divergences.count(io.exodus.proxy.consistency.Divergence.Kind.ROW_COUNT));

        migration.changePolicy(io.exodus.proxy.migration.ConsistencyPolicy.BOTH_REQUIRED);
        try (var client = proxy().openJdbc(); var statement = client.createStatement()) {
            assertEquals(1, statement.executeUpdate("update drifted set n = n + 1 where id = 1"));
        }
        assertEquals("1", Psql.against(DualWriteDatabases.primary(DATABASE)).query("select n from drifted"),
                "both-required lets the primary go on");
        // Its replay may count another one, later: the secondary still has no row 1.
        assertTrue(divergences.count(io.exodus.proxy.consistency.Divergence.Kind.ROW_COUNT) >= before + 2);
    }

    @Test
    void aPlainBeginReachesTheSourceWithTheTransactionsFirstStatementAndTheTransactionHoldsAsSent() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table begun (id int primary key)");
        String backendState = "select coalesce(max(state), 'none') from pg_stat_activity "
                + "where application_name = 'plain-begin' and backend_type = 'client backend'";
        try (var client = DualWriteDatabases.open(proxy(), "preferQueryMode", "simple",
                "ApplicationName", "plain-begin"); var statement = client.createStatement()) {
            statement.execute("begin");
            assertEquals("idle", Psql.against(DualWriteDatabases.primary(DATABASE)).query(backendState),
                    "Exodus answered the BEGIN: the primary has not seen it yet");
            statement.execute("insert into begun values (1)");
            assertEquals("idle in transaction",
                    Psql.against(DualWriteDatabases.primary(DATABASE)).query(backendState));
            SQLException duplicate = assertThrows(SQLException.class,
                    () -> statement.execute("insert into begun values (1)"));
            assertEquals("23505", duplicate.getSQLState());
            SQLException aborted = assertThrows(SQLException.class, () -> statement.execute("select 1"));
            assertEquals("25P02", aborted.getSQLState(), "the statements ran in the client's transaction");
            statement.execute("rollback");

            statement.execute("BEGIN;");
            statement.execute("insert into begun values (2)");
            statement.execute("commit");
        }
        assertEquals("2", Psql.against(DualWriteDatabases.source(DATABASE)).query("select string_agg(id::text, ',') "
                + "from begun"));
        DualWriteDatabases.assertIdentical(DATABASE, "begun");
    }

    @Test
    void aPreparedPlainBeginAlsoWaitsForTheFirstStatement() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table begun_prepared (id int primary key)");
        Path script = Files.createTempFile("plain-begin", ".sql");
        Files.writeString(script, """
                BEGIN;
                \\sleep 3 s
                INSERT INTO begun_prepared VALUES (7);
                \\sleep 3 s
                COMMIT;
                """);
        String state = "select coalesce(max(state), 'none') from pg_stat_activity where datname = '" + DATABASE
                + "' and application_name = 'pgbench' and backend_type = 'client backend'";
        var run = CompletableFuture.supplyAsync(() -> Pgbench.against(proxy())
                .run(List.of("-n", "-M", "prepared", "-c", "1", "-t", "1", "-f", script.toString())));
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ("none".equals(Psql.against(DualWriteDatabases.primary(DATABASE)).query(state))) {
                assertTrue(System.nanoTime() < deadline, "pgbench never connected");
                Thread.sleep(50);
            }
            Thread.sleep(1500); // inside the first \sleep: BEGIN answered, INSERT not sent yet
            assertEquals("idle", Psql.against(DualWriteDatabases.primary(DATABASE)).query(state),
                    "Exodus answered the prepared BEGIN: the primary has not seen it yet");
            Thread.sleep(3000); // inside the second one
            assertEquals("idle in transaction", Psql.against(DualWriteDatabases.primary(DATABASE)).query(state));
            run.get(30, TimeUnit.SECONDS).requireSuccess();
        } finally {
            Files.deleteIfExists(script);
        }
        DualWriteDatabases.assertIdentical(DATABASE, "begun_prepared");
        assertEquals("7", Psql.against(DualWriteDatabases.target(DATABASE)).query("select id from begun_prepared"));
    }
}
