package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/**
 * Best-effort in mode queued (ADR 0049) across a {@code kill -9} of the proxy in the middle of pgbench's TPC-B with 8
 * clients: every transaction the source committed carries its queue entry, so a restarted proxy brings the target to
 * the source row by row, none lost and none applied twice (pgbench_history has no key: a double apply shows as an
 * extra row, a loss as a missing one, and the balances add up only if every transfer applied once).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BestEffortQueuedCrashTest {
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);

    private static String database;

    @BeforeAll
    static void createDatabaseOnBothServers() {
        database = Support.createDurableOnBoth("it_be_queued_");
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            Pgbench.against(Support.superuserIn(server, database)).initialize(1).requireSuccess();
        }
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(database);
    }

    @Test
    void aProxyKilledMidRunLeavesNothingLostOrAppliedTwice() throws Exception {
        int firstPort = FreePorts.pick();
        PgbenchResult cut;
        try (ProxyProcess first = startProxy(firstPort, "it_be_queued_a")) {
            CompletableFuture<PgbenchResult> running = CompletableFuture.supplyAsync(() -> Pgbench
                    .against(throughProxy(firstPort))
                    .run(QueryMode.PREPARED, 8, 2, Duration.ofSeconds(30), BuiltinScript.TPCB_LIKE));
            assertTrue(Support.await(Duration.ofSeconds(30), () -> history(TestDatabases.source()) > 200),
                    Support.withLog(first, "pgbench did not get going through the proxy"));
            first.kill9();
            cut = running.get(2, TimeUnit.MINUTES);
        }
        long committed = history(TestDatabases.source());
        System.out.printf("BestEffortQueuedCrashTest: proxy killed after %d committed transactions, %d queued, "
                + "pgbench exit %d%n", committed, queued(), cut.exitCode());

        try (ProxyProcess second = startProxy(FreePorts.pick(), "it_be_queued_b")) {
            assertTrue(Support.await(DRAIN_TIMEOUT, () -> queued() == 0),
                    Support.withLog(second, "the queue did not drain after the restart; left: " + queued()));
        }
        assertEquals(committed, history(TestDatabases.source()), "the source as the killed proxy left it");
        assertEquals(committed, history(TestDatabases.target()),
                "every transaction the source committed is on the target exactly once");
        TableComparison.assertIdentical(Support.superuserIn(TestDatabases.source(), database),
                Support.superuserIn(TestDatabases.target(), database), TableComparison.PGBENCH_TABLES);
    }

    private static ProxyProcess startProxy(int listenPort, String proxyId) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", "dual-write",
                "EXODUS_MIGRATION_POLICY", "best-effort",
                "EXODUS_REPLAY_BEST_EFFORT_MODE", "queued",
                "EXODUS_MIGRATION_PROXY_ID", proxyId));
        return Support.startProxyOnTestDatabases(listenPort, environment);
    }

    private static ConnectionTarget throughProxy(int listenPort) {
        return ConnectionTarget.local(listenPort, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, database);
    }

    private static long history(LocalPostgres server) {
        return Support.queryLong(Support.superuserIn(server, database), "select count(*) from pgbench_history");
    }

    private static long queued() {
        return Support.queryLong(Support.superuserIn(TestDatabases.source(), database),
                "select count(*) from exodus.replay_queue");
    }
}
