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

import java.sql.SQLException;

import java.time.Duration;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A strategy is the fleet's, not its replica's. Two replicas; the application reaches the fleet through replica b only.
 * A shadow strategy run by replica a, which serves no read itself, compares b's reads: every replica shadows, and the
 * gates sum every replica's counts. Then replica a starts a canary strategy and is killed (SIGKILL) in its second
 * step: replica b takes the run over, resumes it at that step and walks it to the cutover; the clients see no error,
 * the total never changes, and after a rollback source and target are identical.
 */
class StrategyRunSurvivesItsReplicaTest {
    private static final String DATABASE = "it_strategy_survives";
    private static final String TOKEN = "survivor-token";
    private static final String ACCOUNTS = "survivor_accounts";

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
    void shadowCountsReachTheRunnerAndARunOutlivesTheReplicaThatRanIt() throws Exception {
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        BankWorkload bank = new BankWorkload(ACCOUNTS, 20);
        bank.create(source);
        bank.create(target);
        String fleet = "it-survivor-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        int httpB = FreePorts.pick();
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "survivor_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, replica(fleet, "survivor_b", httpB))) {
            assertTrue(Support.await(Duration.ofSeconds(30), () -> status(httpA).contains("survivor_b")),
                    () -> "replica a sees replica b: " + status(httpA));
            ConnectionTarget throughB = ConnectionTarget.local(portB, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                    DATABASE);
            Duration load = Duration.ofSeconds(45);
            CompletableFuture<BankRun> transfers = CompletableFuture.supplyAsync(
                    () -> bank.withSeed(7).run(throughB, 8, load));
            long deadline = System.nanoTime() + load.toNanos();
            CompletableFuture<List<String>> reads = CompletableFuture.supplyAsync(
                    () -> bank.readTotalsUntil(throughB, deadline));
            Support.sleep(1000);

            // Shadow, run by a: the reads it compares are b's.
            start(httpA, "shadow");
            assertTrue(Support.await(Duration.ofSeconds(30), () -> !status(httpA).contains("\"state\":\"running\"")),
                    () -> "the shadow strategy ends: " + status(httpA));
            String ranByA = status(httpA);
            assertTrue(ranByA.contains("\"state\":\"done\""), ranByA);
            assertTrue(number(ranByA, "shadowCompared") >= 5, "the gates counted b's comparisons: " + ranByA);
            assertEquals(0, number(ranByA.substring(ranByA.indexOf("\"shadow\":{")), "compared"),
                    "replica a compared no read itself: " + ranByA);
            String shadowedByB = status(httpB);
            assertTrue(number(shadowedByB.substring(shadowedByB.indexOf("\"shadow\":{")), "compared") >= 5,
                    "replica b shadowed its reads: " + shadowedByB);
            assertTrue(shadowedByB.contains("\"active\":false"), "shadowing ended on b: " + shadowedByB);

            // Canary, run by a, which dies in its second step.
            start(httpA, "canary");
            assertTrue(Support.await(Duration.ofSeconds(30), () -> status(httpB).contains("\"step\":1")),
                    () -> "the canary run reaches its second step: " + status(httpB));
            a.kill9();
            assertTrue(Support.await(Duration.ofSeconds(60), () -> {
                String status = status(httpB);
                return status.contains("\"takenOverFrom\":\"survivor_a\"") && !status.contains("\"state\":\"running\"");
            }), () -> "replica b takes the run over and ends it: " + status(httpB));
            String ended = status(httpB);
            assertTrue(ended.contains("\"state\":\"done\"") && ended.contains("\"replica\":\"survivor_b\"")
                    && ended.contains("\"primary\":\"target\""), ended);
            assertEquals(String.valueOf(TestDatabases.target().port()),
                    Support.psql(b, throughB, "select current_setting('port')"), "new sessions start on the target");
            Support.HttpAnswer rollback = Support.post(httpB, "/exodus/migration/rollback", TOKEN, "{}");
            assertEquals(200, rollback.status(), rollback.body());

            assertEquals(List.of(), reads.get(), "reads through replica b");
            BankRun run = transfers.get();
            run.requireNoFailures();
            assertTrue(run.committed() > 0, run.toString());
            assertEquals(bank.expectedTotal(), bank.total(source));
            assertEquals(bank.expectedTotal(), bank.total(target));
            TableComparison.assertIdentical(source, target, ACCOUNTS);
        }
    }

    private static String status(int http) {
        return Support.get(http, "/exodus/migration", TOKEN).body().replace(" ", "").replace("\n", "");
    }

    private static long number(String json, String field) {
        Matcher value = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertTrue(value.find(), field + " in " + json);
        return Long.parseLong(value.group(1));
    }

    private static void start(int http, String strategy) {
        Support.HttpAnswer started = Support.put(http, "/exodus/migration/strategy", TOKEN, "{\"strategy\": \""
                + strategy + "\", \"reason\": \"integration test\"}");
        assertEquals(200, started.status(), started.body());
    }

    private static Map<String, String> replica(String fleet, String id, int httpPort) {
        Map<String, String> environment = Support.fleetReplica(fleet, id, httpPort, "dual-write", TOKEN);
        environment.put("EXODUS_MIGRATION_CUTOVER_TIMEOUT", "10s");
        environment.put("EXODUS_STRATEGY_SOAK", "2s");
        environment.put("EXODUS_STRATEGY_CHECK_INTERVAL", "200ms");
        environment.put("EXODUS_STRATEGY_MIN_READS", "5");
        environment.put("EXODUS_STRATEGY_MAX_LATENCY_RATIO", "50");
        environment.put("EXODUS_MIGRATION_SHADOW_SHARE", "100");
        return environment;
    }
}
