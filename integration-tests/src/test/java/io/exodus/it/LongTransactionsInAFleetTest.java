package io.exodus.it;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long transactions at the pause of a move of the primary, in a fleet of two replicas: a cutover asked of replica a
 * with {@code cancel} ends the transaction that replica b's session left open past the timeout (b closes the session,
 * both databases roll it back) and goes on; a rollback asked of a with {@code wait} waits for b's transaction, past
 * the timeout, and it commits on both databases.
 */
class LongTransactionsInAFleetTest {
    private static final String DATABASE = "it_long_transactions";
    private static final String TOKEN = "long-token";

    @BeforeAll
    static void noDatabasesOfOtherClasses() throws SQLException {
        // A cutover looks through every database: those of earlier classes would only make it slower.
        TestDatabases.dropDatabasesOfOtherTests(DATABASE);
    }

    @BeforeAll
    static void createDatabaseOnBothServers() {
        Support.recreateOnBoth(DATABASE, "create table events (id int primary key, note text)");
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void cancelEndsAnotherReplicasOpenTransactionAndWaitWaitsForIt() throws Exception {
        String fleet = "it-long-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        int httpB = FreePorts.pick();
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "long_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, replica(fleet, "long_b", httpB))) {
            assertTrue(Support.await(Duration.ofSeconds(30), () -> Support.get(httpA, "/exodus/migration", TOKEN)
                    .body().contains("long_b")), "replica a sees replica b");
            ConnectionTarget throughB = ConnectionTarget.local(portB, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                    DATABASE);

            try (Connection open = throughB.openJdbc(); Statement statement = open.createStatement()) {
                open.setAutoCommit(false);
                statement.execute("insert into events values (1, 'open on b through the cutover')");
                Support.HttpAnswer cutover = Support.post(httpA, "/exodus/migration/cutover", TOKEN,
                        "{\"longTransactions\": \"cancel\"}");
                assertEquals(200, cutover.status(), Support.withLog(b, cutover.body()).get());
                assertTrue(pauseOf(cutover.body()) >= 2000, cutover.body());
                SQLException ended = assertThrows(SQLException.class,
                        () -> statement.execute("insert into events values (2, 'same transaction')"));
                assertTrue("57P01".equals(ended.getSQLState()) || ended.getSQLState().startsWith("08"),
                        ended.getSQLState() + " " + ended.getMessage());
            }
            assertEquals(0L, Support.queryLong(source, "select count(*) from events"));
            assertEquals(0L, Support.queryLong(target, "select count(*) from events"));

            try (Connection open = throughB.openJdbc(); Statement statement = open.createStatement()) {
                open.setAutoCommit(false);
                statement.execute("insert into events values (3, 'open on b through the rollback')");
                CompletableFuture<Support.HttpAnswer> rollback = CompletableFuture.supplyAsync(() -> Support.post(
                        httpA, "/exodus/migration/rollback", TOKEN, "{\"longTransactions\": \"wait\"}"));
                assertTrue(Support.await(Duration.ofSeconds(20), () -> Support.queryLong(ConnectionTarget.superuser(
                        TestDatabases.source()), "select count(*) from exodus.traffic_pauses where fleet = '" + fleet
                        + "' and state = 'pausing'") == 1), "the rollback pauses the fleet");
                Thread.sleep(3000);
                assertFalse(rollback.isDone(), "the rollback waits past the timeout");
                statement.execute("insert into events values (4, 'same transaction, after the timeout')");
                open.commit();
                Support.HttpAnswer done = rollback.get(20, TimeUnit.SECONDS);
                assertEquals(200, done.status(), done.body());
                assertTrue(done.body().replace(" ", "").contains("\"primary\":\"source\""), done.body());
                assertTrue(pauseOf(done.body()) >= 3000, done.body());
            }
            assertEquals(2L, Support.queryLong(source, "select count(*) from events"));
            TableComparison.assertIdentical(source, target, "events");
        }
    }

    private static long pauseOf(String json) {
        Matcher pause = Pattern.compile("\"pauseMs\"\\s*:\\s*(\\d+)").matcher(json);
        assertTrue(pause.find(), json);
        return Long.parseLong(pause.group(1));
    }

    private static Map<String, String> replica(String fleet, String id, int httpPort) {
        Map<String, String> environment = Support.fleetReplica(fleet, id, httpPort, "dual-write", TOKEN);
        environment.put("EXODUS_MIGRATION_CUTOVER_TIMEOUT", "2s");
        return environment;
    }
}
