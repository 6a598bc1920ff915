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

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Exodus replicas in front of the same source and target, with clients on both fighting over the same ten
 * accounts: the target applies the writes to each row in the source's order (ADR 0004: the source's row locks,
 * held while the target applies, order the writers across replicas), so both databases end identical.
 */
class TwoProxyReplicasTest {
    private static final String DATABASE = "it_two_replicas";

    @BeforeAll
    static void createDatabaseOnBothServers() {
        Support.recreateOnBoth(DATABASE);
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(DATABASE);
    }

    @Test
    void concurrentWritersOfTheSameRowsThroughTwoReplicasLeaveBothDatabasesIdentical() throws Exception {
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        BankWorkload bank = new BankWorkload("hot_accounts", 10);
        bank.create(source);
        bank.create(target);
        Map<String, String> dualWrite = Map.of("EXODUS_MIGRATION_PHASE", "dual-write", "EXODUS_TLS_MODE", "disable");
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, withId(dualWrite, "replica_a"));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, withId(dualWrite, "replica_b"))) {
            ConnectionTarget throughA = ConnectionTarget.local(portA, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                    DATABASE);
            ConnectionTarget throughB = throughA.withPort(portB);
            CompletableFuture<BankRun> runA = CompletableFuture.supplyAsync(() -> bank.withSeed(1).run(throughA, 6, 40));
            CompletableFuture<BankRun> runB = CompletableFuture.supplyAsync(() -> bank.withSeed(2).run(throughB, 6, 40));
            BankRun onA = runA.get();
            BankRun onB = runB.get();
            onA.requireNoFailures();
            onB.requireNoFailures();
            assertTrue(onA.committed() > 0 && onB.committed() > 0, onA + " / " + onB);
            assertEquals(bank.expectedTotal(), bank.total(source));
            assertEquals(bank.expectedTotal(), bank.total(target));
            awaitReplayQueueDrained(source);
            TableComparison.assertIdentical(source, target, "hot_accounts");
        }
    }

    /**
     * Last writer wins, and each row keeps the history of its writers: the final rows depend on the order of every
     * write, so identical tables mean the target applied them in the source's order. (With the lock-held order
     * switched off — autocommit writes committed on the source before the target runs them — this test fails.)
     */
    @Test
    void lastWriterWinsTheSameOnBothDatabases() throws Exception {
        ConnectionTarget source = ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        for (ConnectionTarget side : new ConnectionTarget[] { source, target }) {
            try (var connection = side.openJdbc(); var statement = connection.createStatement()) {
                statement.execute("drop table if exists hot_rows");
                statement.execute("create table hot_rows (id int primary key, owner text, version int not null, history text not null)");
                statement.execute("insert into hot_rows select g, null, 0, '' from generate_series(1, 3) g");
            }
        }
        Map<String, String> dualWrite = Map.of("EXODUS_MIGRATION_PHASE", "dual-write", "EXODUS_TLS_MODE", "disable");
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, withId(dualWrite, "lww_a"));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, withId(dualWrite, "lww_b"))) {
            java.util.List<CompletableFuture<Void>> writers = new java.util.ArrayList<>();
            for (int client = 0; client < 8; client++) {
                int port = client % 2 == 0 ? portA : portB;
                String name = "c" + client;
                writers.add(CompletableFuture.runAsync(() -> overwrite(port, name, 60)));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();
            awaitReplayQueueDrained(source);
            TableComparison.assertIdentical(source, target, "hot_rows");
            assertEquals(8 * 60, sumOfVersions(source));
            assertEquals(8 * 60, sumOfVersions(target));
        }
    }

    private static long sumOfVersions(ConnectionTarget side) throws Exception {
        try (var connection = side.openJdbc(); var statement = connection.createStatement();
                var rows = statement.executeQuery("select sum(version) from hot_rows")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Half of the writes in explicit transactions, half autocommit, over the three hot rows. */
    private static void overwrite(int port, String name, int writes) {
        ConnectionTarget through = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                DATABASE);
        try (var connection = through.openJdbc();
                var update = connection.prepareStatement(
                        "update hot_rows set owner = ?, version = version + 1, history = history || ',' || ? where id = ?")) {
            for (int i = 0; i < writes; i++) {
                boolean explicit = i % 2 == 0;
                connection.setAutoCommit(!explicit);
                update.setString(1, name + "-" + i);
                update.setString(2, name + "-" + i);
                update.setInt(3, 1 + i % 3);
                update.executeUpdate();
                if (explicit) {
                    connection.commit();
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> withId(Map<String, String> environment, String id) {
        Map<String, String> copy = new java.util.HashMap<>(environment);
        copy.put("EXODUS_MIGRATION_PROXY_ID", id);
        return copy;
    }

    /**
     * A transaction the target missed (a lost connection under load) is replayed from the queue: the comparison waits
     * until nothing is queued. Order is still checked: a replayed transaction out of the source's order shows up.
     */
    private static void awaitReplayQueueDrained(ConnectionTarget source) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (true) {
            try (var connection = source.openJdbc(); var statement = connection.createStatement();
                    var rows = statement.executeQuery("select count(*) from exodus.replay_queue where state = 'queued'")) {
                rows.next();
                if (rows.getLong(1) == 0) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the replay queue did not drain within 60 s");
            }
            Thread.sleep(200);
        }
    }
}
