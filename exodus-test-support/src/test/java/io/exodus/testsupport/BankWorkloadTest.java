package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BankWorkloadTest {

    @Test
    void concurrentTransfersKeepTheTotalAndSomeAreRolledBack() throws SQLException {
        BankWorkload bank = new BankWorkload("bank_workload_total");
        bank.create(source());
        assertEquals(100_000, bank.total(source()));

        BankRun run = bank.run(source(), 16, 25).requireNoFailures();

        assertEquals(400, run.transfers(), run.toString());
        assertTrue(run.rolledBack() > 10, run.toString());
        assertTrue(run.committed() > 300, run.toString());
        assertEquals(bank.expectedTotal(), bank.total(source()));
    }

    @Test
    void aSingleClientSendsTheSameTransfersOnEveryServer() throws SQLException {
        BankWorkload bank = new BankWorkload("bank_workload_seeded", 10);
        for (ConnectionTarget side : new ConnectionTarget[] {source(), target()}) {
            bank.create(side);
            bank.run(side, 1, 50).requireNoFailures();
        }

        TableComparison.assertIdentical(source(), target(), bank.table());
        assertEquals(bank.expectedTotal(), bank.total(target()));
    }

    @Test
    void aTimedRunStopsInTime() throws SQLException {
        BankWorkload bank = new BankWorkload("bank_workload_timed");
        bank.create(source());

        BankRun run = bank.run(source(), 2, Duration.ofMillis(300)).requireNoFailures();

        assertTrue(run.transfers() > 0, run.toString());
        assertTrue(run.elapsed().compareTo(Duration.ofSeconds(5)) < 0, run.toString());
    }

    @Test
    void withoutAServerEveryTransferFailsAndTheRunStillEnds() {
        BankWorkload bank = new BankWorkload("bank_workload_nowhere");
        ConnectionTarget nowhere = ConnectionTarget.local(FreePorts.pick(), TestUsers.SUPERUSER,
                TestUsers.SUPERUSER_PASSWORD, TestUsers.DEFAULT_DATABASE);

        BankRun run = bank.run(nowhere, 2, 5);

        assertEquals(10, run.failed(), run.toString());
        assertEquals(0, run.committed());
        assertEquals(5, run.firstFailures().size());
        assertTrue(run.toString().contains("SQLSTATE 08001"), run.toString());
    }

    @Test
    void clientsWhoseConnectionsAreTerminatedReconnectAndGoOn() throws Exception {
        BankWorkload bank = new BankWorkload("bank_workload_terminated");
        bank.create(source());
        int clients = 4;

        CompletableFuture<BankRun> running = CompletableFuture.supplyAsync(
                () -> bank.run(source(), clients, Duration.ofSeconds(3)));
        List<Integer> terminated = terminateClients(awaitClients(bank, clients, List.of()));
        awaitClients(bank, clients, terminated);
        BankRun run = running.get(1, TimeUnit.MINUTES);

        assertEquals(clients, terminated.size());
        assertTrue(run.failed() >= 1 && run.failed() <= clients, run.toString());
        assertTrue(run.committed() > 0, run.toString());
        assertEquals(bank.expectedTotal(), bank.total(source()));
    }

    /** The backend pids of the bank's clients, once this many are connected on backends other than those. */
    private static List<Integer> awaitClients(BankWorkload bank, int clients, List<Integer> notThese)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<Integer> pids = clientPids(bank);
            pids.removeAll(notThese);
            if (pids.size() >= clients) {
                return pids;
            }
            assertTrue(System.nanoTime() < deadline, "the bank clients did not connect: " + pids);
            Thread.sleep(20);
        }
    }

    private static List<Integer> clientPids(BankWorkload bank) throws SQLException {
        List<Integer> pids = new ArrayList<>();
        try (Connection connection = source().openJdbc(); PreparedStatement statement = connection.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, bank.applicationName());
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    pids.add(result.getInt(1));
                }
            }
        }
        return pids;
    }

    private static List<Integer> terminateClients(List<Integer> pids) throws SQLException {
        List<Integer> terminated = new ArrayList<>();
        try (Connection connection = source().openJdbc();
                PreparedStatement statement = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            for (int pid : pids) {
                statement.setInt(1, pid);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    if (result.getBoolean(1)) {
                        terminated.add(pid);
                    }
                }
            }
        }
        return terminated;
    }

    private static ConnectionTarget source() {
        return ConnectionTarget.superuser(TestDatabases.source());
    }

    private static ConnectionTarget target() {
        return ConnectionTarget.superuser(TestDatabases.target());
    }
}
