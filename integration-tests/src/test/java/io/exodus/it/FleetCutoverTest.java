package io.exodus.it;

import java.sql.SQLException;

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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas of one fleet, a bank workload of 16 clients through both (8 each), every strategy in turn: a canary
 * strategy run by one replica walks the fleet through 5, 25, 50 and 100 % of the reads on the target to the cutover,
 * the other rolls it back; an explicit canary is rolled back; a big-bang strategy run by the second replica cuts over,
 * the first rolls it back; blue-green (shadow reads, then the cutover) by the first, rolled back by the second;
 * user-by-user (the database as the tenant, its share reaching both replicas) by the second, rolled back by the first;
 * shadow by the first, which changes no phase. Every cutover and rollback pauses the new transactions of both replicas
 * and moves the sessions of both. No client sees an error, the total never changes, source and target end identical,
 * and each pause is measured and printed.
 */
class FleetCutoverTest {
    private static final String DATABASE = "it_fleet_cutover";
    private static final String TOKEN = "fleet-token";

    @BeforeAll
    static void noDatabasesOfOtherClasses() throws SQLException {
        // A cutover looks through every database: those of earlier classes would only make it slower.
        TestDatabases.dropDatabasesOfOtherTests(DATABASE);
    }

    @BeforeAll
    static void createDatabaseOnBothServers() {
        Support.recreateOnBoth(DATABASE);
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void everyStrategyAndBothRollbacksThroughEitherReplicaMoveTheSessionsOfBothLosingNothing() throws Exception {
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
                    () -> bank.withSeed(1).run(throughA, 8, Duration.ofSeconds(50)));
            CompletableFuture<BankRun> runB = CompletableFuture.supplyAsync(
                    () -> bank.withSeed(2).run(throughB, 8, Duration.ofSeconds(50)));
            // Reads outside transactions, which canary steps send to the target and shadow steps compare: the total
            // is the same in every snapshot of either database.
            long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos();
            CompletableFuture<List<String>> readsA = CompletableFuture.supplyAsync(
                    () -> bank.readTotalsUntil(throughA, deadline));
            CompletableFuture<List<String>> readsB = CompletableFuture.supplyAsync(
                    () -> bank.readTotalsUntil(throughB, deadline));
            Support.sleep(2000);

            List<Long> cutoverPauses = new ArrayList<>();
            List<Long> rollbackPauses = new ArrayList<>();
            // Canary, driven by a: each step soaks 1 s, then the cutover. One run at a time for the fleet: replica b
            // shows a's and refuses a second.
            start(httpA, "canary", List.of());
            String shownByB = Support.get(httpB, "/exodus/migration", TOKEN).body().replace(" ", "");
            assertTrue(shownByB.contains("\"name\":\"canary\"") && shownByB.contains("\"replica\":\"fleet_a\""),
                    shownByB);
            Support.HttpAnswer second = Support.put(httpB, "/exodus/migration/strategy", TOKEN,
                    "{\"strategy\": \"big-bang\"}");
            assertEquals(409, second.status(), second.body());
            assertTrue(second.body().contains("replica fleet_a"), second.body());
            cutoverPauses.add(pauseAfter(httpA, "canary"));
            String targetPort = String.valueOf(TestDatabases.target().port());
            assertEquals(targetPort, Support.psql(b, throughB, "select current_setting('port')"),
                    "a new session of replica b starts on the target");
            // Rollback from cutover, asked of the other replica.
            rollbackPauses.add(rollback(httpB));
            // Rollback from canary: the source stays the primary, only the reads come back; no pause.
            Support.HttpAnswer canary = Support.put(httpA, "/exodus/migration/phase", TOKEN, "{\"phase\": \"canary\"}");
            assertEquals(200, canary.status(), canary.body());
            Support.sleep(1000);
            assertEquals(0L, rollback(httpB), "a rollback from canary needs no pause");
            // Big-bang, driven by b; rolled back through a.
            cutoverPauses.add(runStrategy(httpB, "big-bang"));
            rollbackPauses.add(rollback(httpA));
            cutoverPauses.add(runStrategy(httpA, "blue-green"));
            rollbackPauses.add(rollback(httpB));
            cutoverPauses.add(runStrategy(httpB, "user-by-user", List.of(DATABASE)));
            assertTrue(Support.get(httpA, "/exodus/migration/tenants", TOKEN).body().replace(" ", "")
                    .contains("\"" + DATABASE + "\":100.0"), "the tenant's share reached replica a");
            rollbackPauses.add(rollback(httpA));
            // Shadow compares the target's answers and moves nothing: it ends done in phase dual-write.
            assertEquals("dual-write", endOf(httpA, "shadow", List.of()));
            assertTrue(Support.get(httpB, "/exodus/migration", TOKEN).body().replace(" ", "")
                    .contains("\"phase\":\"dual-write\""));
            System.out.printf("FleetCutoverTest: cutover pauses %s ms (max %d), rollback pauses %s ms (max %d), "
                    + "16 clients through two replicas%n", cutoverPauses, Collections.max(cutoverPauses),
                    rollbackPauses, Collections.max(rollbackPauses));
            // A bound that a loaded test machine keeps; the figures printed are the measure.
            assertTrue(Collections.max(cutoverPauses) < 5_000 && Collections.max(rollbackPauses) < 5_000,
                    cutoverPauses + " / " + rollbackPauses);

            assertEquals(List.of(), readsA.get(), "reads through replica a");
            assertEquals(List.of(), readsB.get(), "reads through replica b");
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

    /** Runs the strategy through the replica until it ends; it must end done, in phase cutover. Its pause, in ms. */
    private static long runStrategy(int http, String strategy) {
        return runStrategy(http, strategy, List.of());
    }

    /** @param tenants user-by-user's, in the order they move */
    private static long runStrategy(int http, String strategy, List<String> tenants) {
        start(http, strategy, tenants);
        return pauseAfter(http, strategy);
    }

    /** Waits for the strategy started through the replica to end done in phase cutover; its pause, in ms. */
    private static long pauseAfter(int http, String strategy) {
        assertEquals("cutover", awaitEnd(http, strategy));
        String status = Support.get(http, "/exodus/migration", TOKEN).body().replace(" ", "");
        return pauseOf(status.substring(status.indexOf("\"lastSwitch\"")));
    }

    /** Runs the strategy through the replica until it ends done; the phase it left. */
    private static String endOf(int http, String strategy, List<String> tenants) {
        start(http, strategy, tenants);
        return awaitEnd(http, strategy);
    }

    private static void start(int http, String strategy, List<String> tenants) {
        String named = tenants.stream().map(tenant -> "\"" + tenant + "\"").collect(Collectors.joining(", "));
        Support.HttpAnswer started = Support.put(http, "/exodus/migration/strategy", TOKEN, "{\"strategy\": \""
                + strategy + "\", \"tenants\": [" + named + "], \"reason\": \"integration test\"}");
        assertEquals(200, started.status(), started.body());
    }

    /** Waits for the run to end done; the phase it left. */
    private static String awaitEnd(int http, String strategy) {
        assertTrue(Support.await(Duration.ofSeconds(30), () -> !Support.get(http, "/exodus/migration", TOKEN).body()
                .replace(" ", "").contains("\"state\":\"running\"")), () -> "the " + strategy + " strategy ends: "
                        + Support.get(http, "/exodus/migration", TOKEN).body());
        String status = Support.get(http, "/exodus/migration", TOKEN).body().replace(" ", "");
        assertTrue(status.contains("\"state\":\"done\""), status);
        Matcher phase = Pattern.compile("\"phase\":\"([a-z-]+)\"").matcher(status);
        assertTrue(phase.find(), status);
        return phase.group(1);
    }

    private static long rollback(int http) {
        Support.HttpAnswer rollback = Support.post(http, "/exodus/migration/rollback", TOKEN, "{}");
        assertEquals(200, rollback.status(), rollback.body());
        assertTrue(rollback.body().contains("\"primary\":\"source\""), rollback.body());
        return pauseOf(rollback.body().replace(" ", ""));
    }

    private static long pauseOf(String json) {
        Matcher pause = Pattern.compile("\"pauseMs\":(\\d+)").matcher(json);
        assertTrue(pause.find(), json);
        return Long.parseLong(pause.group(1));
    }

    private static Map<String, String> replica(String fleet, String id, int httpPort) {
        Map<String, String> environment = Support.fleetReplica(fleet, id, httpPort, "dual-write", TOKEN);
        environment.put("EXODUS_MIGRATION_CUTOVER_TIMEOUT", "10s");
        environment.put("EXODUS_STRATEGY_SOAK", "1s");
        environment.put("EXODUS_STRATEGY_CHECK_INTERVAL", "200ms");
        environment.put("EXODUS_STRATEGY_MIN_READS", "5");
        environment.put("EXODUS_STRATEGY_MAX_LATENCY_RATIO", "50");
        environment.put("EXODUS_MIGRATION_TENANT_KEY", "database");
        // Every read the shadow step may compare, so that it reaches its minimum within a soak.
        environment.put("EXODUS_MIGRATION_SHADOW_SHARE", "100");
        return environment;
    }
}
