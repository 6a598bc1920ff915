package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the secondary misses when the proxy's connections to it are lost waits in a queue on the primary, inside the
 * transactions that wrote it, and reaches the secondary exactly once: the source's queue replayed into the target
 * before the cutover, the target's replayed into the source after it ({@link SecondaryLossCatchUpAfterCutoverTest}),
 * under the same policy. The servers stay up: the secondary's backends of the proxy's sessions are ended, as a
 * network cut or a failover of the secondary would end them.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class SecondaryLossCatchUpTest {
    private static final Duration DRAIN_WITHIN = Duration.ofSeconds(90);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    private static String database;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = "lost_secondary_" + DualWriteDatabases.primarySide().configName();
        DualWriteDatabases.recreate(database);
        Pgbench.against(DualWriteDatabases.source(database)).initialize(1).requireSuccess();
        Pgbench.against(DualWriteDatabases.target(database)).initialize(1).requireSuccess();
        DualWriteDatabases.onBoth(database, "create table notes (id int primary key, note text)");
    }

    @Test
    void aTransactionWhoseSecondaryWasLostIsQueuedOnThePrimaryAndReachesTheSecondary() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "ApplicationName", "loses-its-secondary");
                Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("insert into notes values (1, 'written on both')");
            assertEquals("1", endSecondarySessions("loses-its-secondary"));
            statement.execute("insert into notes values (2, 'the secondary lost its part')");
            client.commit();
        }
        assertEquals("t", Psql.against(DualWriteDatabases.primary(database))
                .query("select to_regclass('exodus.replay_queue') is not null"), "the queue is the primary's");
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(database, "notes");
        assertEquals("2", Psql.against(DualWriteDatabases.secondary(database)).query("select count(*) from notes"));
        assertEquals("0", Psql.against(DualWriteDatabases.primary(database))
                .query("select count(*) from exodus.replay_queue"));
    }

    /** pgbench sees no error while its sessions lose their secondary again and again; the two end identical. */
    @Test
    void pgbenchSeesNoErrorWhileItsSessionsLoseTheirSecondary() throws Exception {
        ConnectionTarget proxy = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                database);
        CompletableFuture<PgbenchResult> running = CompletableFuture.supplyAsync(() -> Pgbench.against(proxy)
                .run(QueryMode.PREPARED, 4, 2, Duration.ofSeconds(8), BuiltinScript.TPCB_LIKE));
        AtomicInteger ended = new AtomicInteger();
        Thread.sleep(1_000);
        for (int round = 0; round < 10; round++) {
            ended.addAndGet(Integer.parseInt(endSecondarySessions("pgbench")));
            Thread.sleep(500);
        }
        PgbenchResult result = running.get(3, TimeUnit.MINUTES).requireSuccess();

        assertTrue(ended.get() > 0, "the secondary's sessions were ended");
        assertTrue(result.processedTransactions().orElse(0) > 0, result.stdout());
        assertEquals(0, result.failedTransactions().orElse(0), result.stdout());
        CatchUpDrain.await(DRAIN_WITHIN);
        TableComparison.assertIdentical(DualWriteDatabases.primary(database), DualWriteDatabases.secondary(database),
                TableComparison.PGBENCH_TABLES);
    }

    /** Ends the proxy's sessions on the secondary whose client named itself {@code application}; how many. */
    private static String endSecondarySessions(String application) throws Exception {
        return Psql.against(DualWriteDatabases.secondary(database)).query(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = '"
                        + application + "' and pid <> pg_backend_pid()");
    }
}
