package io.exodus.it;

import io.exodus.testsupport.BankRun;
import io.exodus.testsupport.BankWorkload;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas of one fleet, a bank workload through both: a cutover asked of one replica pauses the new transactions
 * of both, moves the sessions of both to the target, and a rollback asked of the other brings them all back. No client
 * sees an error, the total never changes, and source and target end identical.
 */
class FleetCutoverTest {
    private static final String DATABASE = "it_fleet_cutover";
    private static final String TOKEN = "fleet-token";

    @BeforeAll
    static void createDatabaseOnBothServers() {
        Support.recreateOnBoth(DATABASE);
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void aCutoverAndARollbackAskedOfEitherReplicaMoveTheSessionsOfBoth() throws Exception {
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        BankWorkload bank = new BankWorkload("fleet_accounts", 20);
        bank.create(source);
        bank.create(target);
        String fleet = "it-fleet-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        int httpB = FreePorts.pick();
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "fleet_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, replica(fleet, "fleet_b", httpB))) {
            assertTrue(Support.await(Duration.ofSeconds(30), () -> Support.get(httpA, "/exodus/migration", TOKEN).body()
                    .contains("fleet_b")), () -> "replica a sees replica b: "
                            + Support.get(httpA, "/exodus/migration", TOKEN));
            ConnectionTarget throughA = ConnectionTarget.local(portA, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                    DATABASE);
            ConnectionTarget throughB = throughA.withPort(portB);
            CompletableFuture<BankRun> runA = CompletableFuture.supplyAsync(
                    () -> bank.withSeed(1).run(throughA, 8, Duration.ofSeconds(12)));
            CompletableFuture<BankRun> runB = CompletableFuture.supplyAsync(
                    () -> bank.withSeed(2).run(throughB, 8, Duration.ofSeconds(12)));
            Support.sleep(2000);

            Support.HttpAnswer cutover = Support.post(httpA, "/exodus/migration/cutover", TOKEN, "{\"reason\": \"it\"}");
            assertEquals(200, cutover.status(), cutover.body());
            assertTrue(cutover.body().contains("\"primary\":\"target\""), cutover.body());
            String targetPort = String.valueOf(TestDatabases.target().port());
            assertEquals(targetPort, Support.psql(b, throughB, "select current_setting('port')"),
                    "a new session of replica b starts on the target");
            Support.sleep(3000);

            Support.HttpAnswer rollback = Support.post(httpB, "/exodus/migration/rollback", TOKEN, "{}");
            assertEquals(200, rollback.status(), rollback.body());
            assertTrue(rollback.body().contains("\"primary\":\"source\""), rollback.body());
            assertTrue(Support.get(httpA, "/exodus/migration", TOKEN).body().contains("\"phase\":\"dual-write\""));

            BankRun onA = runA.get();
            BankRun onB = runB.get();
            onA.requireNoFailures();
            onB.requireNoFailures();
            assertTrue(onA.committed() > 0 && onB.committed() > 0, onA + " / " + onB);
            assertEquals(bank.expectedTotal(), bank.total(source));
            assertEquals(bank.expectedTotal(), bank.total(target));
            TableComparison.assertIdentical(source, target, "fleet_accounts");
        }
    }

    private static Map<String, String> replica(String fleet, String id, int httpPort) {
        Map<String, String> environment = new HashMap<>();
        environment.put("EXODUS_MIGRATION_PHASE", "dual-write");
        environment.put("EXODUS_TLS_MODE", "disable");
        environment.put("EXODUS_MIGRATION_PROXY_ID", id);
        environment.put("EXODUS_CONTROL_ENABLED", "true");
        environment.put("EXODUS_CONTROL_FLEET", fleet);
        environment.put("EXODUS_ADMIN_TOKEN", TOKEN);
        environment.put("EXODUS_MIGRATION_CUTOVER_TIMEOUT", "10s");
        environment.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        return environment;
    }
}
