package io.exodus.it;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas of the proxy in one fleet: a phase change made through one reaches the other within the change's
 * apply timeout (1 s here), and a session already open on the other follows it, so that its next write reaches the
 * target too.
 */
class FleetFollowsOnePhaseTest {
    private static final String DATABASE = "it_fleet_phase";
    private static final String TOKEN = "fleet-token";

    @BeforeAll
    static void createDatabaseOnBothServers() {
        Support.recreateOnBoth(DATABASE, "create table events (id int primary key, via text); "
                + "create table stream (id bigserial primary key, via text)");
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void aPhaseChangeThroughOneReplicaReachesTheOtherAndItsOpenSessions() throws Exception {
        String fleet = "it-fleet-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "fleet_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, replica(fleet, "fleet_b", FreePorts.pick()));
                Connection onB = ConnectionTarget.local(portB, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                        DATABASE).openJdbc();
                Statement statement = onB.createStatement()) {
            statement.execute("insert into events values (1, 'replica b, phase direct')");
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(TestDatabases.source(),
                    "select count(*) from exodus.replicas where fleet = '" + fleet + "'") == 2),
                    "both replicas report themselves");

            Support.HttpAnswer changed = Support.put(httpA, "/exodus/migration/phase", TOKEN,
                    "{\"phase\": \"dual-write\", \"reason\": \"integration test\"}");
            assertEquals(200, changed.status(), changed.body());
            String body = changed.body().replace(" ", "");
            assertTrue(body.contains("\"appliedBy\":[\"fleet_a\",\"fleet_b\"]") && body.contains("\"pending\":[]"),
                    "both replicas applied it within 1 s: " + changed.body());

            statement.execute("insert into events values (2, 'replica b, the session open before the change')");
            try (Connection onA = ConnectionTarget.local(portA, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                    DATABASE).openJdbc(); Statement throughA = onA.createStatement()) {
                throughA.execute("insert into events values (3, 'replica a, a new session')");
            }
        }
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        assertEquals(2, Support.queryLong(target, "select count(*) from events where id in (2, 3)"));
        assertEquals(0, Support.queryLong(target, "select count(*) from events where id = 1"));
    }

    /**
     * Replica B hears of no change (it does not listen, and reads the state every 2 s) while both replicas take
     * writes. The change to dual-write made through A pauses the fleet's new transactions until B holds its own too:
     * no write of B is routed by the old phase once A's go to the target. Without the pause, B's writes of the next
     * two seconds reached the source alone, between writes of A that reached both: a gap on the target nobody saw.
     */
    @Test
    void aReplicaThatHearsOfTheChangeLateRoutesNoWriteByTheOldPhase() throws Exception {
        String fleet = "it-fleet-late-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        Map<String, String> late = replica(fleet, "late_b", FreePorts.pick());
        late.put("EXODUS_CONTROL_LISTEN", "false");
        late.put("EXODUS_CONTROL_POLL_INTERVAL", "2s");
        AtomicBoolean writing = new AtomicBoolean(true);
        String answer;
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "late_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, late)) {
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(TestDatabases.source(),
                    "select count(*) from exodus.replicas where fleet = '" + fleet + "'") == 2),
                    "both replicas report themselves");
            List<Future<Integer>> errors = List.of(writers.submit(() -> write(portA, "a", writing)),
                    writers.submit(() -> write(portB, "b", writing)));
            Thread.sleep(500);
            Support.HttpAnswer changed = Support.put(httpA, "/exodus/migration/phase", TOKEN,
                    "{\"phase\": \"dual-write\", \"reason\": \"integration test\"}");
            assertEquals(200, changed.status(), changed.body());
            answer = changed.body();
            Thread.sleep(1_000);
            writing.set(false);
            for (Future<Integer> failed : errors) {
                assertEquals(0, failed.get(30, TimeUnit.SECONDS), "client errors");
            }
        } finally {
            writing.set(false);
            writers.shutdownNow();
        }
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        long first = Support.queryLong(target, "select min(id) from stream");
        assertTrue(Support.queryLong(target, "select count(*) from stream where via = 'b'") > 0,
                "replica b wrote to the target once it followed");
        assertEquals(Support.queryLong(source, "select count(*) from stream where id >= " + first),
                Support.queryLong(target, "select count(*) from stream"),
                "every row the source has from the target's first one on is on the target too");
        assertTrue(answer.contains("pauseMs"), "the change paused the fleet's new transactions: " + answer);
    }

    /**
     * Replica B's reads of the control state and its heartbeats are held back (the test hook
     * {@code exodus.control.test-hold-file}) while A moves the fleet from direct to dual-write. B goes stale before
     * the fleet stops waiting for it, refuses every write meanwhile with 57P03 (none reaches the source by the old
     * phase alone), and writes again, to both databases, once its reads resume and it applied the new phase. Held
     * back again in dual-write, it serves a read and refuses a write.
     */
    @Test
    void aReplicaThatCannotReadTheStateRefusesWritesUntilItHasTheNewPhase() throws Exception {
        String fleet = "it-fleet-held-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        int httpB = FreePorts.pick();
        Path hold = Files.createTempDirectory("exodus-hold").resolve("hold-control-reads");
        Map<String, String> held = replica(fleet, "held_b", httpB);
        held.put("EXODUS_CONTROL_TEST_HOLD_FILE", hold.toString());
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "held_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, held)) {
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(TestDatabases.source(),
                    "select count(*) from exodus.replicas where fleet = '" + fleet + "'") == 2),
                    "both replicas report themselves");
            insertThrough(portB, 20, "replica b, fresh, phase direct");

            Files.createFile(hold);
            assertTrue(Support.await(Duration.ofSeconds(10), () -> stale(httpB)), "b says it is stale");
            java.sql.SQLException refused = assertThrows(java.sql.SQLException.class,
                    () -> insertThrough(portB, 21, "replica b, stale, phase direct"));
            assertEquals("57P03", refused.getSQLState(), refused.getMessage());

            Support.HttpAnswer changed = Support.put(httpA, "/exodus/migration/phase", TOKEN,
                    "{\"phase\": \"dual-write\", \"reason\": \"integration test\"}");
            assertEquals(200, changed.status(), changed.body());
            assertTrue(changed.body().replace(" ", "").contains("\"appliedBy\":[\"held_a\"]"),
                    "only a applied it, b no longer counts as live: " + changed.body());
            insertThrough(portA, 22, "replica a, phase dual-write");
            java.sql.SQLException stillRefused = assertThrows(java.sql.SQLException.class,
                    () -> insertThrough(portB, 23, "replica b, stale, after the change"));
            assertEquals("57P03", stillRefused.getSQLState(), stillRefused.getMessage());

            Files.delete(hold);
            assertTrue(Support.await(Duration.ofSeconds(10), () -> {
                try {
                    insertThrough(portB, 24, "replica b, confirmed again, phase dual-write");
                    return true;
                } catch (java.sql.SQLException e) {
                    return false;
                }
            }), "b writes again once it reads the state");
            assertFalse(stale(httpB), "b is no longer stale");

            // Stale again, in dual-write now: that relay reads the statements, so an open session's reads go on and
            // its writes do not. (Opened before: pgJDBC's set-up SETs are not reads, a stale replica refuses them.)
            try (Connection onB = ConnectionTarget.local(portB, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                    DATABASE).openJdbc(); Statement statement = onB.createStatement()) {
                Files.createFile(hold);
                assertTrue(Support.await(Duration.ofSeconds(10), () -> stale(httpB)), "b is stale again");
                try (ResultSet rows = statement.executeQuery("select count(*) from events where id = 24")) {
                    assertTrue(rows.next());
                    assertEquals(1, rows.getLong(1), "a read through the stale replica is served");
                }
                java.sql.SQLException write = assertThrows(java.sql.SQLException.class, () -> statement.execute(
                        "insert into events values (25, 'replica b, stale, phase dual-write')"));
                assertEquals("57P03", write.getSQLState(), write.getMessage());
            }
            Files.delete(hold);
        }
        assertEquals(0, Support.queryLong(source, "select count(*) from events where id = 25")
                + Support.queryLong(target, "select count(*) from events where id = 25"));
        assertEquals(0, Support.queryLong(source, "select count(*) from events where id in (21, 23)"),
                "no write of the stale replica reached the source");
        assertEquals(2, Support.queryLong(target, "select count(*) from events where id in (22, 24)"),
                "the writes after the change reached the target, b's too");
        assertEquals(0, Support.queryLong(target, "select count(*) from events where id = 20"));
    }

    /**
     * A session of replica B has a transaction open in phase direct (one row written to the source alone) when B's
     * control reads are held back and A moves the fleet to dual-write without it. Once B reads the state again and is
     * confirmed, the transaction's next write is refused with 57P03 and the transaction rolled back: carried on, it
     * wrote the source alone while the fleet dual-writes, and its commit left the target without its rows (it did,
     * before B refused the transactions a change of route leaves behind). A session of B that was between transactions
     * then writes on, to both databases.
     */
    @Test
    void aTransactionOpenWhileTheFleetMovedWithoutItsReplicaIsRefusedNotCarriedOn() throws Exception {
        String fleet = "it-fleet-behind-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        int httpB = FreePorts.pick();
        Path hold = Files.createTempDirectory("exodus-hold").resolve("hold-control-reads");
        Map<String, String> held = replica(fleet, "behind_b", httpB);
        held.put("EXODUS_CONTROL_TEST_HOLD_FILE", hold.toString());
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "behind_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, held);
                Connection inTransaction = ConnectionTarget.local(portB, TestUsers.SUPERUSER,
                        TestUsers.SUPERUSER_PASSWORD, DATABASE).openJdbc();
                Connection betweenTransactions = ConnectionTarget.local(portB, TestUsers.SUPERUSER,
                        TestUsers.SUPERUSER_PASSWORD, DATABASE).openJdbc();
                Statement open = inTransaction.createStatement();
                Statement idle = betweenTransactions.createStatement()) {
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(TestDatabases.source(),
                    "select count(*) from exodus.replicas where fleet = '" + fleet + "'") == 2),
                    "both replicas report themselves");
            inTransaction.setAutoCommit(false);
            open.execute("insert into events values (30, 'replica b, a transaction open in phase direct')");

            Files.createFile(hold);
            assertTrue(Support.await(Duration.ofSeconds(10), () -> stale(httpB)), "b says it is stale");
            Support.HttpAnswer changed = Support.put(httpA, "/exodus/migration/phase", TOKEN,
                    "{\"phase\": \"dual-write\", \"reason\": \"integration test\"}");
            assertEquals(200, changed.status(), changed.body());
            assertTrue(changed.body().replace(" ", "").contains("\"appliedBy\":[\"behind_a\"]"),
                    "only a applied it, b no longer counts as live: " + changed.body());
            Files.delete(hold);
            assertTrue(Support.await(Duration.ofSeconds(10), () -> !stale(httpB)
                    && Support.get(httpB, "/exodus/migration", TOKEN).body().contains("\"phase\":\"dual-write\"")),
                    "b reads the state again and applies the new phase");

            java.sql.SQLException refused = assertThrows(java.sql.SQLException.class, () -> {
                open.execute("insert into events values (31, 'replica b, the same transaction after the change')");
                inTransaction.commit();
            });
            assertEquals("57P03", refused.getSQLState(), refused.getMessage());
            idle.execute("insert into events values (32, 'replica b, a session between transactions')");
        } finally {
            Files.deleteIfExists(hold);
        }
        assertEquals(0, Support.queryLong(source, "select count(*) from events where id in (30, 31)"),
                "the transaction left behind was rolled back");
        assertEquals(1, Support.queryLong(source, "select count(*) from events where id = 32"));
        assertEquals(1, Support.queryLong(target, "select count(*) from events where id = 32"),
                "the session that was between transactions followed the fleet to dual-write");
    }

    private static boolean stale(int httpPort) {
        String body = Support.get(httpPort, "/exodus/migration", TOKEN).body().replace(" ", "");
        assertTrue(body.contains("\"stale\":"), body);
        return body.contains("\"stale\":true");
    }

    private static void insertThrough(int port, int id, String via) throws java.sql.SQLException {
        try (Connection client = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                DATABASE).openJdbc(); Statement statement = client.createStatement()) {
            statement.execute("insert into events values (" + id + ", '" + via + "')");
        }
    }

    private static int write(int port, String via, AtomicBoolean writing) {
        int failed = 0;
        try (Connection client = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                DATABASE).openJdbc(); Statement statement = client.createStatement()) {
            while (writing.get()) {
                try {
                    statement.execute("insert into stream (via) values ('" + via + "')");
                } catch (java.sql.SQLException e) {
                    failed++;
                }
            }
        } catch (java.sql.SQLException e) {
            failed++;
        }
        return failed;
    }

    private static Map<String, String> replica(String fleet, String id, int httpPort) {
        Map<String, String> environment = Support.fleetReplica(fleet, id, httpPort, "direct", TOKEN);
        environment.put("EXODUS_CONTROL_APPLY_TIMEOUT", "1s");
        return environment;
    }
}
