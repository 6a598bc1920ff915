package io.exodus.it;

import java.sql.SQLException;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cutover asked of replica A while replica B has a transaction open in a database A never wrote, in which the target
 * lost B's connection: B's COMMIT, made while A waits under the fleet's pause, puts the transaction in the source's
 * replay queue of that database. A's gates looked before the pause (nothing was queued then) and A's own check under
 * the pause knows only the queues of its own databases; B reads its queue every 5 s. The flip must still come after
 * the entry reached the target: B reports that it holds the pause only once its queues have drained. Without that, the
 * target became the primary without B's rows, and their replay would have landed later over the primary's writes.
 */
class FleetPauseDrainsEveryReplicasQueueTest {
    private static final String DATABASE = "it_fleet_queue";
    private static final String TOKEN = "fleet-token";

    @BeforeAll
    static void noDatabasesOfOtherClasses() throws SQLException {
        // A cutover looks through every database: those of earlier classes would only make it slower.
        TestDatabases.dropDatabasesOfOtherTests(DATABASE);
    }

    @BeforeAll
    static void createDatabaseOnBothServers() {
        Support.recreateOnBoth(DATABASE, "create table events (id int primary key, via text)");
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void aTransactionAnotherReplicaQueuesDuringTheCutoversPauseReachesTheTargetBeforeTheFlip() throws Exception {
        String fleet = "it-fleet-queue-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        Map<String, String> slowPoll = replica(fleet, "queue_b", FreePorts.pick());
        slowPoll.put("EXODUS_REPLAY_POLL_INTERVAL", "5s");
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "queue_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, slowPoll);
                Connection onB = ConnectionTarget.local(portB, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                        DATABASE).openJdbc();
                Statement statement = onB.createStatement()) {
            assertTrue(Support.await(Duration.ofSeconds(30), () -> Support.get(httpA, "/exodus/migration", TOKEN)
                    .body().contains("queue_b")), "replica a sees replica b");
            statement.execute("begin");
            statement.execute("insert into events values (1, 'replica b, before the target lost its session')");
            Support.executeDirect(ConnectionTarget.superuser(TestDatabases.target()),
                    "select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + DATABASE
                            + "' and backend_type = 'client backend'");
            statement.execute("insert into events values (2, 'replica b, after')");

            CompletableFuture<Support.HttpAnswer> cutover = CompletableFuture.supplyAsync(() -> Support.post(httpA,
                    "/exodus/migration/cutover", TOKEN, "{\"reason\": \"integration test\"}"));
            assertTrue(Support.await(Duration.ofSeconds(20), () -> cutover.isDone() || Support.queryLong(
                    TestDatabases.source(), "select count(*) from exodus.traffic_pauses where fleet = '" + fleet
                            + "' and state = 'pausing'") > 0), "the cutover pauses the fleet");
            statement.execute("commit");

            Support.HttpAnswer answer = cutover.get(60, TimeUnit.SECONDS);
            assertEquals(200, answer.status(), answer.body());
            assertEquals(2, Support.queryLong(target, "select count(*) from events"),
                    "the target has replica b's rows when it becomes the primary: " + answer.body());
            assertEquals(0, Support.queryLong(source, "select count(*) from exodus.replay_queue"),
                    "nothing waits in the source's queue after the flip");
        }
        assertEquals(2, Support.queryLong(source, "select count(*) from events"));
        TableComparison.assertIdentical(source, target, "events");
    }

    private static Map<String, String> replica(String fleet, String id, int httpPort) {
        Map<String, String> environment = Support.fleetReplica(fleet, id, httpPort, "dual-write", TOKEN);
        environment.put("EXODUS_CONTROL_APPLY_TIMEOUT", "1s");
        environment.put("EXODUS_MIGRATION_POLICY", "both-required");
        environment.put("EXODUS_MIGRATION_CUTOVER_TIMEOUT", "20s");
        return environment;
    }
}
