package io.exodus.proxy.cutover;

import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.ParameterizedTest;
import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.dualwrite.CatchUpDrain;
import io.exodus.proxy.dualwrite.CatchUpLockHolder;
import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.session.SessionRegistry;
import io.exodus.proxy.verify.VerificationApi;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PhysicalStandby;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary moves while the application runs (POST /exodus/migration/cutover, /rollback, /retire-source): open
 * sessions follow between two of their transactions with what they set up, the new primary draws keys past the old
 * one's, and the other database keeps every write, so that source and target end identical.
 */
@QuarkusTest
@TestProfile(CutoverProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class CutoverAndRollbackTest {
    private static final int ACCOUNTS = 20;
    private static final int BALANCE = 1000;
    private static int databases;
    private String database;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    SessionRegistry sessions;

    @BeforeEach
    void freshDatabase() throws Exception {
        // A cutover looks through every database: those of earlier tests would make each slower than the last.
        TestDatabases.dropDatabasesOfOtherTests();
        // Tests leave transactions in the replay queue of their database on purpose. Dropped, it goes on counting in
        // the queues' status (as of the last poll) until a poll finds it gone: tests that read the status wait.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!replayQueuesEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        database = "cutover_" + ++databases;
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create schema app");
        DualWriteDatabases.onBoth(database, "create table app.accounts (id serial primary key, balance int not null)");
        // The same name in public: a session whose search_path the new primary lacked would write there.
        DualWriteDatabases.onBoth(database, "create table public.accounts (id serial primary key, balance int)");
        DualWriteDatabases.onBoth(database, "create table app.events (id bigserial primary key, note text)");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            // Through Exodus: the source draws the ids, the target is given them and its sequence stays behind.
            statement.execute("insert into app.accounts (balance) select " + BALANCE + " from generate_series(1, "
                    + ACCOUNTS + ")");
        }
    }

    private static boolean replayQueuesEmpty() {
        JsonPath status = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration")
                .jsonPath();
        return status.getInt("replay.depth") == 0 && status.getInt("replay.parked") == 0;
    }

    /** The accounts every test wrote through Exodus before it switched anything are the same on both sides. */
    @AfterEach
    void backToDualWrite() throws Exception {
        migration.changePhase(MigrationPhase.DUAL_WRITE);
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
        DualWriteDatabases.assertIdentical(database, "app.accounts");
    }

    /** Under two-phase-commit too: after the cutover the target's COMMIT PREPARED decides (ADR 0028). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ConsistencyPolicy.class, names = { "BOTH_REQUIRED", "TWO_PHASE_COMMIT" })
    void theTargetBecomesThePrimaryUnderLoadAndTheSourceAgainAfterARollbackLosingNothing(ConsistencyPolicy policy)
            throws Exception {
        migration.changePolicy(policy);
        String sourcePort = Psql.against(DualWriteDatabases.source(database)).query("show port");
        String targetPort = Psql.against(DualWriteDatabases.target(database)).query("show port");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger transfers = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "prepareThreshold", "1");
                Statement statement = open.createStatement()) {
            statement.execute("set search_path = app, public");
            PreparedStatement event = open.prepareStatement("insert into events (note) values (?) returning id");
            assertEquals(1, insertEvent(event, "before the cutover"));
            List<Future<Integer>> workers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                workers.add(clients.submit(() -> transfers(running, transfers)));
            }
            Thread.sleep(300);

            Response cutover = post("cutover");
            assertEquals(200, cutover.statusCode(), cutover.asString());
            assertEquals("target", cutover.jsonPath().getString("primary"));
            assertEquals("cutover", cutover.jsonPath().getString("to"));
            assertTrue(cutover.jsonPath().getInt("sequences") >= 2, cutover.asString());
            assertEquals(targetPort, show(statement, "port"), "the open session's reads come from the target");
            assertEquals("app, public", show(statement, "search_path"), "its settings moved with it");
            // Its statement, prepared on the source before the cutover, bound again on the target; the target draws
            // the next id past every id the source drew.
            assertEquals(2, insertEvent(event, "in cutover"));
            given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                    .statusCode(200).body("primary", equalTo("target")).body("phase", equalTo("cutover"))
                    .body("lastSwitch.kind", equalTo("cutover"));
            Thread.sleep(300);

            Response rollback = post("rollback");
            assertEquals(200, rollback.statusCode(), rollback.asString());
            assertEquals("source", rollback.jsonPath().getString("primary"));
            assertEquals(sourcePort, show(statement, "port"));
            assertEquals(3, insertEvent(event, "after the rollback"), "the source's sequence was set past the target's");
            // Back and forth at once, the transfers going on: each switch finds every session between two of its
            // transactions within the 2 s timeout, sessions still moving from the last switch included, and sessions
            // whose next transaction follows the last at once (their secondary still committing) among them.
            for (int i = 0; i < 3; i++) {
                for (String step : new String[] {"cutover", "rollback"}) {
                    Response switched = post(step);
                    assertEquals(200, switched.statusCode(), step + " " + i + ": " + switched.asString());
                }
            }
            assertEquals(sourcePort, show(statement, "port"));
            Thread.sleep(300);
            running.set(false);
            int errors = 0;
            for (Future<Integer> worker : workers) {
                errors += worker.get(30, TimeUnit.SECONDS);
            }
            assertEquals(0, errors, "client errors");
            assertTrue(transfers.get() > 0);
        } finally {
            running.set(false);
            clients.shutdownNow();
        }
        assertEquals(String.valueOf(ACCOUNTS * BALANCE), Psql.against(DualWriteDatabases.source(database))
                .query("select sum(balance) from app.accounts"));
        DualWriteDatabases.assertIdentical(database, "app.accounts", "app.events", "public.accounts");
        assertEquals("0", Psql.against(DualWriteDatabases.target(database)).query("select count(*) from public.accounts"));
    }

    @Test
    void aTransactionThatOutlivesTheTimeoutCallsTheCutoverOffAndTrafficGoesOnOnTheSource() throws Exception {
        try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = open.createStatement()) {
            open.setAutoCommit(false);
            statement.execute("insert into app.events (note) values ('in flight through the cutover')");
            Response cutover = post("cutover");
            assertEquals(409, cutover.statusCode(), cutover.asString());
            assertTrue(cutover.asString().contains("called off"), cutover.asString());
            statement.execute("insert into app.events (note) values ('same transaction')");
            open.commit();
            assertEquals("dual-write", migration.phase().configName());
            try (Connection other = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                    Statement next = other.createStatement()) {
                assertEquals(Psql.against(DualWriteDatabases.source(database)).query("show port"),
                        show(next, "port"), "a new session runs on the source");
                next.execute("insert into app.events (note) values ('after the call-off')");
            }
        }
        DualWriteDatabases.assertIdentical(database, "app.events");
        assertEquals("3", Psql.against(DualWriteDatabases.target(database)).query("select count(*) from app.events"));
    }

    /**
     * A transaction the target missed, still open when the cutover read its gates, goes to the replay queue when it
     * commits during the pause: the cutover sees the queue again under the pause and, with the entry still waiting
     * when its timeout runs out, is called off. Made the primary, the target would have taken writes before the
     * queued transaction reached it, and the replay would then have overwritten them.
     */
    @Test
    void aTransactionQueuedWhileTheCutoverWaitsForItCallsTheCutoverOff() throws Exception {
        CompletableFuture<Response> cutover;
        try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "ApplicationName", "queued-in-the-pause");
                Statement statement = open.createStatement();
                CatchUpLockHolder replayHeld = CatchUpLockHolder.take(database)) {
            open.setAutoCommit(false);
            statement.execute("insert into app.events (note) values ('on both')");
            assertEquals("1", Psql.against(DualWriteDatabases.target(database)).query(
                    "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                            + " where application_name = 'queued-in-the-pause'"));
            // The target's part is gone: the transaction is queued when it commits.
            statement.execute("insert into app.events (note) values ('the target lost its part')");
            cutover = CompletableFuture.supplyAsync(() -> post("cutover"));
            // The gates read an empty queue; the COMMIT comes once the pause waits for this transaction.
            assertTrue(awaitPaused(), "the cutover paused new transactions");
            open.commit();
            Response answer = cutover.get(30, TimeUnit.SECONDS);
            assertEquals(409, answer.statusCode(), answer.asString());
            assertTrue(answer.asString().contains("called off") && answer.asString().contains("replay queue"),
                    answer.asString());
            assertEquals("dual-write", migration.phase().configName());
        }
        CatchUpDrain.await(Duration.ofSeconds(60));
        DualWriteDatabases.assertIdentical(database, "app.events");
        assertEquals(200, post("cutover").statusCode(), "with the queue drained the cutover goes through");
    }

    /**
     * A database dropped outside Exodus (on each server, {@code WITH (FORCE)}) while a transaction waits in its replay
     * queue: the entry can never be replayed, and the next cutover finds the database gone and leaves its queue out.
     * Before, the queues' status went on counting the entry until a poll found the database gone, and every cutover
     * was refused meanwhile; one racing that poll failed on a connection pool it closed ("Pool closed").
     */
    @Test
    void aDatabaseDroppedOutsideExodusWithAQueuedTransactionDoesNotHoldTheCutoverBack() throws Exception {
        String dropped = database + "_dropped";
        DualWriteDatabases.recreate(dropped);
        DualWriteDatabases.onBoth(dropped, "create table notes (id int primary key)");
        // The replay is held (as by another replica) until the database is gone: the entry stays queued.
        try (CatchUpLockHolder replayHeld = CatchUpLockHolder.take(dropped)) {
            try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, dropped),
                    "ApplicationName", "queued-then-dropped");
                    Statement statement = open.createStatement()) {
                open.setAutoCommit(false);
                statement.execute("insert into notes values (1)");
                assertEquals("1", Psql.against(DualWriteDatabases.target(dropped)).query(
                        "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                                + " where application_name = 'queued-then-dropped'"));
                statement.execute("insert into notes values (2)");
                open.commit();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (replayQueuesEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(replayQueuesEmpty(), "the transaction waits in the replay queue of " + dropped);
            for (var server : List.of(TestDatabases.source(), TestDatabases.target())) {
                try (Connection superuser = ConnectionTarget.superuser(server).openJdbc();
                        Statement drop = superuser.createStatement()) {
                    drop.execute("drop database " + dropped + " with (force)");
                }
            }
            Response cutover = post("cutover");
            assertEquals(200, cutover.statusCode(), cutover.asString());
        }
        assertEquals(200, post("rollback").statusCode());
    }

    /**
     * A request that arrives while the cutover's pause waits for a transaction in flight is held before it is read,
     * between two transactions of its session: nothing of it was planned by the old phase, so it is carried out by the
     * new one, on the new primary, once the pause ends; the client sees a wait, no error (docs/adr/0032, "Held
     * requests"). A request held for a confirmation of the lease is planned already, and refused instead
     * (HeldRequestConfirmationTest).
     */
    @Test
    void aRequestHeldByThePauseIsCarriedOutByTheNewPhaseOnTheNewPrimary() throws Exception {
        ExecutorService background = Executors.newFixedThreadPool(2);
        try (Connection open = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement inFlight = open.createStatement();
                Connection waiting = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement held = waiting.createStatement()) {
            held.execute("select 1");
            open.setAutoCommit(false);
            inFlight.execute("insert into app.events (note) values ('in flight when the pause begins')");
            Future<Response> cutover = background.submit(() -> post("cutover"));
            assertTrue(awaitPaused(), "the cutover paused new transactions");
            Future<String> answered = background.submit(() -> show(held, "port"));
            Thread.sleep(300);
            assertFalse(answered.isDone(), "held by the pause while a transaction is in flight");
            open.commit();
            assertEquals(200, cutover.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals(Psql.against(DualWriteDatabases.target(database)).query("show port"),
                    answered.get(10, TimeUnit.SECONDS), "carried out on the new primary");
            held.execute("insert into app.events (note) values ('the held session, after the cutover')");
        } finally {
            background.shutdownNow();
        }
        DualWriteDatabases.assertIdentical(database, "app.events");
        assertEquals("2", Psql.against(DualWriteDatabases.target(database)).query("select count(*) from app.events"));
    }

    /** Whether the pause began within 30 s (the gates before it read every database of both servers). */
    private boolean awaitPaused() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (sessions.paused()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Test
    void aRetiredSourceIsNoLongerWrittenAndCannotBecomeThePrimaryAgain() throws Exception {
        assertEquals(200, post("cutover").statusCode());
        Response retired = post("retire-source");
        assertEquals(200, retired.statusCode(), retired.asString());
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.execute("insert into app.events (note) values ('the target alone')");
        }
        assertEquals("1", Psql.against(DualWriteDatabases.target(database)).query("select count(*) from app.events"));
        assertEquals("0", Psql.against(DualWriteDatabases.source(database)).query("select count(*) from app.events"));
        Response rollback = post("rollback");
        assertEquals(409, rollback.statusCode());
        assertTrue(rollback.asString().contains("retired"), rollback.asString());
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"phase\": \"dual-write\"}").put("/exodus/migration/phase").then().statusCode(409)
                .body("error", containsString("retired"));
    }

    @Test
    void aSessionHoldingATemporaryTableIsToldToReconnectAndTheOthersMove() throws Exception {
        try (Connection scratch = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = scratch.createStatement();
                Connection plain = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement other = plain.createStatement()) {
            statement.execute("create temp table scratch (id int)");
            other.execute("select 1");
            assertEquals(200, post("cutover").statusCode());
            SQLException refused = assertThrows(SQLException.class, () -> statement.execute("select 1"));
            assertEquals("57P01", refused.getSQLState());
            assertTrue(refused.getMessage().contains("temporary table scratch"), refused.getMessage());
            assertEquals(Psql.against(DualWriteDatabases.target(database)).query("show port"), show(other, "port"));
        }
    }

    /**
     * The source missed a write in phase cutover that could not be queued (a row count that differs): a rollback would
     * make a primary of a database that lacks it, so it is refused until the difference is repaired.
     */
    @Test
    void aRollbackIsRefusedOnceTheSourceMissedAWriteDuringTheCutover() throws Exception {
        cutoverWithARowOnTheTargetAlone();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            // The target (the primary now) changes its row; the source has none to change.
            statement.execute("update app.drifted set n = n + 1 where id = 1");
        }
        Response rollback = post("rollback");
        assertEquals(409, rollback.statusCode(), rollback.asString());
        assertTrue(rollback.asString().contains("since the cutover"), rollback.asString());
        assertEquals("cutover", migration.phase().configName());
    }

    /** The same when the write the source misses comes from a transaction still open when the rollback began. */
    @Test
    void aRollbackIsCalledOffWhenATransactionInFlightLeavesTheSourceWithoutAWrite() throws Exception {
        cutoverWithARowOnTheTargetAlone();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("select 1");
            CompletableFuture<Response> rollback = CompletableFuture.supplyAsync(() -> post("rollback"));
            assertTrue(awaitPaused(), "the rollback paused new transactions");
            statement.execute("update app.drifted set n = n + 1 where id = 1");
            client.commit();
            Response answer = rollback.get(30, TimeUnit.SECONDS);
            assertEquals(409, answer.statusCode(), answer.asString());
            assertTrue(answer.asString().contains("called off") && answer.asString().contains("since the cutover"),
                    answer.asString());
        }
        assertEquals("cutover", migration.phase().configName());
    }

    /**
     * A table catch-up marked divergent (here by hand, with a row changed on the target behind Exodus' back) holds the
     * cutover back until a verification finds it identical: after a repair, the cutover goes ahead.
     */
    @Test
    void aCutoverWaitsUntilATableMarkedDivergentIsVerifiedIdentical() throws Exception {
        Psql.against(DualWriteDatabases.source(database)).query(CatchUpQueueSql.CREATE_QUEUE);
        Psql.against(DualWriteDatabases.source(database)).query("insert into exodus.divergent_tables (table_name, "
                + "reason) values ('app.accounts', 'a test')");
        Psql.against(DualWriteDatabases.target(database)).query("update app.accounts set balance = 0 where id = 3");

        Response refused = post("cutover");
        assertEquals(409, refused.statusCode(), refused.asString());
        assertTrue(refused.asString().contains("1 tables are marked divergent: " + database
                + ".app.accounts (on the source)"), refused.asString());
        String body = "{\"database\": \"" + database + "\", \"tables\": [\"app.accounts\"]}";
        JsonPath verified = VerificationApi.verifyWith(DualWriteProfile.TOKEN, body);
        assertEquals(1, verified.getLong("tables[0].different"), verified.prettify());
        assertEquals(409, post("cutover").statusCode(), "a verification that finds a difference keeps the mark");
        assertEquals("dual-write", migration.phase().configName());

        repairVerifyAndCutOver(body);
    }

    /**
     * A verification that finds a table different marks it (here in a database where no catch-up queue was ever
     * made): the cutover waits until the table is repaired and a later verification finds it identical. Before, the
     * cutover went ahead with the difference the verification had just reported.
     */
    @Test
    void aCutoverWaitsWhenTheLastVerificationFoundATableDifferent() throws Exception {
        Psql.against(DualWriteDatabases.target(database)).query("update app.accounts set balance = 0 where id = 5");
        String body = "{\"database\": \"" + database + "\", \"tables\": [\"app.accounts\"]}";
        JsonPath verified = VerificationApi.verifyWith(DualWriteProfile.TOKEN, body);
        assertEquals(1, verified.getLong("tables[0].different"), verified.prettify());

        Response refused = post("cutover");
        assertEquals(409, refused.statusCode(), refused.asString());
        assertTrue(refused.asString().contains(database + ".\\\"app\\\".\\\"accounts\\\" (on the source)"),
                refused.asString());
        assertEquals("dual-write", migration.phase().configName());

        repairVerifyAndCutOver(body);
    }

    /**
     * A standby of the target that applies what it receives 3 s late: the cutover is refused while its replay lag is
     * above exodus.migration.cutover.max-replication-lag (1 s here), naming it; then, its replay paused, while its
     * replay stands still behind what it received; and goes ahead once it has caught up.
     */
    @Test
    void aCutoverWaitsForTheTargetsStandbysToCatchUp() throws Exception {
        try (PhysicalStandby standby = PhysicalStandby.of(TestDatabases.target(), "cutover_standby")) {
            Psql onStandby = Psql.against(ConnectionTarget.superuser(standby.server()));
            onStandby.query("alter system set recovery_min_apply_delay = '3s'");
            onStandby.query("select pg_reload_conf()");
            Psql target = Psql.against(DualWriteDatabases.target(database));
            String lag = "select coalesce(max(extract(epoch from replay_lag)), 0) > 1 from pg_stat_replication "
                    + "where application_name = 'cutover_standby'";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // Written on until the refusal: a standby that has replayed all it was sent has no lag, and on a loaded
            // machine the cutover's earlier gates may take longer than the 3 s delay.
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                while (writing.get()) {
                    target.query("insert into app.events (note) values ('written while the standby lags')");
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
            });
            try {
                do {
                    assertTrue(System.nanoTime() < deadline, "the standby lags");
                    Thread.sleep(200);
                } while (!"t".equals(target.query(lag)));
                Response refused = post("cutover");
                assertEquals(409, refused.statusCode(), refused.asString());
                assertTrue(refused.asString().contains("cutover_standby"), refused.asString());
                assertEquals("dual-write", migration.phase().configName());
            } finally {
                writing.set(false);
                writer.join();
            }

            onStandby.query("alter system reset recovery_min_apply_delay");
            onStandby.query("select pg_reload_conf()");

            // Its replay paused: PostgreSQL's replay_lag stays what it was, the position stands still behind the WAL
            // received. Refused all the same, naming it, until the replay resumes.
            long later = deadline + TimeUnit.SECONDS.toNanos(30);
            awaitTrue(target, "select count(*) = 1 and bool_and(replay_lsn = flush_lsn) from pg_stat_replication "
                    + "where application_name = 'cutover_standby'", later, "the standby catches up");
            onStandby.query("select pg_wal_replay_pause()");
            target.query("insert into app.events (note) values ('written while the standby''s replay is paused')");
            awaitTrue(target, "select bool_or(replay_lsn < flush_lsn) from pg_stat_replication "
                    + "where application_name = 'cutover_standby'", later, "the standby receives");
            Response paused = post("cutover");
            assertEquals(409, paused.statusCode(), paused.asString());
            assertTrue(paused.asString().contains("cutover_standby") && paused.asString().contains("replay"),
                    paused.asString());
            assertEquals("dual-write", migration.phase().configName());
            onStandby.query("select pg_wal_replay_resume()");

            Response cutover;
            do {
                assertTrue(System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(30), "the standby catches up");
                Thread.sleep(500);
                cutover = post("cutover");
            } while (cutover.statusCode() == 409 && cutover.asString().contains("cutover_standby"));
            assertEquals(200, cutover.statusCode(), cutover.asString());
        }
        // The rows written on the target alone are the test's own: the source never had them.
        DualWriteDatabases.onBoth(database, "truncate app.events");
    }

    /** Waits until {@code query} answers true on {@code server}, failing with {@code what} past {@code deadline}. */
    private static void awaitTrue(Psql server, String query, long deadline, String what) throws InterruptedException {
        while (!"t".equals(server.query(query))) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(100);
        }
    }

    /**
     * A replication slot of the target that nobody reads is a standby or subscriber that stopped: pg_stat_replication no
     * longer lists it, so no lag is reported, yet it lacks all the WAL it has not read. The cutover is refused naming
     * the slot, and goes ahead once it is dropped.
     */
    @Test
    void aCutoverWaitsWhileASlotOfTheTargetIsNotRead() throws Exception {
        Psql target = Psql.against(ConnectionTarget.superuser(TestDatabases.target()));
        target.query("select pg_create_physical_replication_slot('stopped_standby', true)");
        try {
            Response refused = post("cutover");
            assertEquals(409, refused.statusCode(), refused.asString());
            assertTrue(refused.asString().contains("stopped_standby ("), refused.asString());
            assertTrue(refused.asString().contains("pg_drop_replication_slot"), refused.asString());
            assertEquals("dual-write", migration.phase().configName());
        } finally {
            target.query("select pg_drop_replication_slot('stopped_standby')");
        }
        Response cutover = post("cutover");
        assertEquals(200, cutover.statusCode(), cutover.asString());
    }

    /**
     * In phase canary the target's reads of a table it lacks fail: a cutover is refused while the target's reads since
     * the canary began failed more often than the source's; a canary begun again counts afresh, and with the target
     * answering well the cutover goes ahead.
     */
    @Test
    void aCutoverFromCanaryWaitsWhileTheTargetsReadsFailMoreOftenThanTheSources() throws Exception {
        Psql.against(DualWriteDatabases.source(database)).query("create table only_on_source (id int)");
        double share = migration.configuredCanaryPercent();
        try {
            migration.changeCanaryPercent(100);
            migration.changePhase(MigrationPhase.CANARY);
            int failed = reads("select count(*) from only_on_source", 10);
            assertTrue(failed > 0, "the target lacks the table");
            reads("select count(*) from app.accounts", 10);
            Response refused = post("cutover");
            assertEquals(409, refused.statusCode(), refused.asString());
            assertTrue(refused.asString().contains("of the target's") && refused.asString().contains("since the "
                    + "canary began"), refused.asString());
            assertEquals("canary", migration.phase().configName());

            migration.changePhase(MigrationPhase.DUAL_WRITE);
            migration.changePhase(MigrationPhase.CANARY);
            assertEquals(0, reads("select count(*) from app.accounts", 10));
            Response cutover = post("cutover");
            assertEquals(200, cutover.statusCode(), cutover.asString());
        } finally {
            migration.changeCanaryPercent(share);
            DualWriteDatabases.onBoth(database, "drop table if exists only_on_source");
        }
    }

    /** Runs the read outside a transaction {@code times} times through Exodus; how many failed. */
    private int reads(String sql, int times) throws SQLException {
        int failed = 0;
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            for (int i = 0; i < times; i++) {
                try (ResultSet rows = statement.executeQuery(sql)) {
                    rows.next();
                } catch (SQLException e) {
                    failed++;
                }
            }
        }
        return failed;
    }

    /** Repairs app.accounts, verifies it identical (which clears its mark) and cuts over. */
    private void repairVerifyAndCutOver(String verification) throws Exception {
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).body("{\"tables\": [\"app.accounts\"]}")
                .post("/exodus/migration/repair").then().statusCode(200);
        assertTrue(VerificationApi.verifyWith(DualWriteProfile.TOKEN, verification).getBoolean("identical"));
        Response cutover = post("cutover");
        assertEquals(200, cutover.statusCode(), cutover.asString());
    }

    /** Table app.drifted with a row on the target alone, which an update through Exodus finds on the target only. */
    private void cutoverWithARowOnTheTargetAlone() throws Exception {
        DualWriteDatabases.onBoth(database, "create table app.drifted (id int primary key, n int)");
        Psql.against(DualWriteDatabases.target(database)).query("insert into app.drifted values (1, 0)");
        Response cutover = post("cutover");
        assertEquals(200, cutover.statusCode(), cutover.asString());
    }

    @Test
    void switchesNeedTheTokenAndExplicitPhaseChangesCannotMoveThePrimary() {
        given().post("/exodus/migration/cutover").then().statusCode(401);
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"phase\": \"cutover\"}").put("/exodus/migration/phase").then().statusCode(409)
                .body("error", containsString("POST /exodus/migration/cutover"));
        Response retire = post("retire-source");
        assertEquals(409, retire.statusCode());
        assertEquals("dual-write", migration.phase().configName());
    }

    private static Response post(String step) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .header("X-Exodus-Actor", "cutover test").contentType("application/json")
                .body("{\"reason\": \"test\"}").post("/exodus/migration/" + step);
    }

    /** The id the events sequence drew, counted from the first one this test drew. */
    private static long insertEvent(PreparedStatement event, String note) throws SQLException {
        event.setString(1, note);
        try (ResultSet rows = event.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet rows = statement.executeQuery("show " + setting)) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** Transfers between random accounts until told to stop; returns the number of client errors. */
    private Integer transfers(AtomicBoolean running, AtomicInteger done) throws SQLException {
        int errors = 0;
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                PreparedStatement debit = client.prepareStatement(
                        "update app.accounts set balance = balance - ? where id = ?");
                PreparedStatement credit = client.prepareStatement(
                        "update app.accounts set balance = balance + ? where id = ?")) {
            client.setAutoCommit(false);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (running.get()) {
                int from = 1 + random.nextInt(ACCOUNTS);
                int to = 1 + random.nextInt(ACCOUNTS);
                int amount = 1 + random.nextInt(10);
                try {
                    // In id order, so that two transfers never wait for each other's rows in opposite orders.
                    PreparedStatement first = from < to ? debit : credit;
                    PreparedStatement second = from < to ? credit : debit;
                    first.setInt(1, amount);
                    first.setInt(2, Math.min(from, to));
                    first.executeUpdate();
                    second.setInt(1, amount);
                    second.setInt(2, Math.max(from, to));
                    second.executeUpdate();
                    client.commit();
                    done.incrementAndGet();
                } catch (SQLException e) {
                    errors++;
                    System.out.println("CutoverAndRollbackTest: transfer failed: " + e.getSQLState() + " "
                            + e.getMessage());
                    client.rollback();
                }
            }
        }
        return errors;
    }
}
