package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.session.SessionRegistry;
import io.exodus.proxy.session.TrafficPause;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pause of new transactions, the moment a switch changes what sessions write to: transactions in flight finish,
 * new ones wait, and after the resume they run in the phase the switch set, on sessions that stayed open.
 */
@QuarkusTest
@TestProfile(PhaseChangeProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class TrafficPauseTest {
    private static final String DATABASE = "traffic_pause";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    SessionRegistry sessions;

    @Inject
    MigrationState migration;

    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table ledger (id int primary key, note text)");
    }

    /** The pause a test began, resumed after it whatever happened: one left over holds every later test's sessions. */
    private TrafficPause pause;

    @AfterEach
    void directAgain() {
        if (pause != null) {
            pause.resume();
        }
        migration.changePhase(MigrationPhase.DIRECT);
        clients.shutdownNow();
    }

    private TrafficPause pause() {
        pause = sessions.pauseTransactions();
        return pause;
    }

    @Test
    void transactionsInFlightFinishNewOnesWaitAndRunInThePhaseTheSwitchSet() throws Exception {
        try (Connection inTransaction = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Connection idle = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement a = inTransaction.createStatement();
                Statement b = idle.createStatement()) {
            inTransaction.setAutoCommit(false);
            a.execute("insert into ledger values (1, 'direct, before the pause')");

            TrafficPause pause = pause();
            CompletableFuture<Void> held = pause.allHeld().toCompletionStage().toCompletableFuture();
            // The pause reaches each session on its own event loop: a request sent before it got there is in flight.
            long reached = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pause.stillRunning() > 1) {
                assertTrue(System.nanoTime() < reached, "the idle session was not held: " + pause.stillRunning());
                Thread.sleep(10);
            }
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> execute(b,
                    "insert into ledger values (2, 'sent during the pause')"), clients);
            Thread.sleep(300);
            assertFalse(held.isDone(), "a transaction is still open");
            assertFalse(waiting.isDone(), "a new transaction waits for the resume");

            a.execute("insert into ledger values (3, 'same transaction, in flight at the pause')");
            inTransaction.commit();
            held.get(10, TimeUnit.SECONDS);
            assertEquals(0, pause.stillRunning());

            migration.changePhase(MigrationPhase.DUAL_WRITE);
            pause.resume();
            waiting.get(10, TimeUnit.SECONDS);
            a.execute("insert into ledger values (4, 'after the resume')");
            inTransaction.commit();
            assertTrue(pause.elapsed().toMillis() >= 300, pause.elapsed().toString());
        }
        assertEquals("1,2,3,4", Psql.against(DualWriteDatabases.source(DATABASE))
                .query("select string_agg(id::text, ',' order by id) from ledger"));
        assertEquals("2,4", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select string_agg(id::text, ',' order by id) from ledger"),
                "what began after the pause runs in dual-write; what was in flight stayed in direct");
    }

    @Test
    void aPauseWithoutOpenTransactionsHoldsAtOnce() throws Exception {
        try (Connection idle = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            TrafficPause pause = pause();
            try {
                pause.allHeld().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } finally {
                pause.resume();
            }
            try (Statement statement = idle.createStatement()) {
                statement.execute("select 1");
            }
        }
    }

    private static void execute(Statement statement, String sql) {
        try {
            statement.execute(sql);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
