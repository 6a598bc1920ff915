package io.exodus.proxy.dualwrite;

import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.exodus.proxy.dualwrite.DualWriteDatabases.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable replay queue (issue 4) against real servers: what the target misses while it is down waits in the
 * source's {@code exodus.replay_queue}, inside the transactions that wrote it, and reaches the target exactly once, in
 * order, a whole client transaction at a time. The proxy's own crash is IT territory (ReplayAfterProxyCrashIT).
 *
 * <p>Written by role: where a test says the target and the source, it means the secondary and the primary, which
 * {@link DualWriteCatchUpAfterCutoverTest} swaps.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteCatchUpTest {
    private static final String DATABASE = "dw_replay";
    private static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    DivergenceLog divergences;

    @Inject
    io.exodus.proxy.catchup.CatchUpApplier replayQueues;

    /** Durable commits on both sides, as on a real server (the shared servers run synchronous_commit off). */
    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreateWithDurableCommits(DATABASE);
        Pgbench.against(DualWriteDatabases.primary(DATABASE)).initialize(1).requireSuccess();
        Pgbench.against(DualWriteDatabases.secondary(DATABASE)).initialize(1).requireSuccess();
    }

    @AfterEach
    void targetRunsAgain() throws Exception {
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(DRAIN_WITHIN);
    }

    /** Issue 4's first acceptance point: pgbench does not notice a target that is down for 10 s. */
    @Test
    void pgbenchUnderBothRequiredSeesNoErrorWhileTheTargetIsDownForTenSeconds() throws Exception {
        ConnectionTarget proxy = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                DATABASE);
        String history = "select count(*) from pgbench_history";
        long before = count(DualWriteDatabases.secondary(DATABASE), history);
        CompletableFuture<PgbenchResult> running = CompletableFuture.supplyAsync(() -> Pgbench.against(proxy)
                .run(QueryMode.PREPARED, 8, 2, Duration.ofSeconds(22), BuiltinScript.TPCB_LIKE));
        // The target stops once pgbench's transactions reach it, stays down 10 s, and pgbench runs on for about 10 s
        // more, in which the queue drains under load and the sessions go back to live dual-write.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (count(DualWriteDatabases.secondary(DATABASE), history) < before + 100) {
            assertTrue(System.nanoTime() < deadline && !running.isDone(), "pgbench's transactions did not reach the "
                    + "target");
            Thread.sleep(50);
        }
        DualWriteDatabases.stopSecondaryImmediately();
        Thread.sleep(10_000);
        DualWriteDatabases.startSecondary();
        PgbenchResult result = running.get(3, TimeUnit.MINUTES).requireSuccess();

        assertTrue(result.processedTransactions().orElse(0) > 0, result.stdout());
        assertEquals(0, result.failedTransactions().orElse(0), result.stdout());
        CatchUpDrain.await(DRAIN_WITHIN);
        TableComparison.assertIdentical(DualWriteDatabases.primary(DATABASE), DualWriteDatabases.secondary(DATABASE),
                TableComparison.PGBENCH_TABLES);
        assertEquals(0, count(DualWriteDatabases.primary(DATABASE), "select count(*) from exodus.replay_queue"));
    }

    /**
     * Issue 4's fourth point: transfers queued while the target was down are replayed each as one transaction, so a
     * reader of the target sees the accounts' total unchanged at every moment of the replay.
     */
    @Test
    void aQueuedTransactionIsReplayedAtomically() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists accounts");
        DualWriteDatabases.onBoth(DATABASE, "create table accounts (id int primary key, balance bigint not null)");
        DualWriteDatabases.onBoth(DATABASE, "insert into accounts select g, 1000 from generate_series(1, 20) g");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            idleRoundTrip(client);
            DualWriteDatabases.stopSecondaryImmediately();
            client.setAutoCommit(false);
            try (PreparedStatement take = client.prepareStatement(
                    "update accounts set balance = balance - ? where id = ?");
                    PreparedStatement give = client.prepareStatement(
                            "update accounts set balance = balance + ? where id = ?")) {
                for (int i = 0; i < 400; i++) {
                    int from = 1 + i % 20;
                    int to = 1 + (i * 7 + 3) % 20;
                    take.setLong(1, 1 + i % 13);
                    take.setInt(2, from);
                    take.executeUpdate();
                    give.setLong(1, 1 + i % 13);
                    give.setInt(2, to);
                    give.executeUpdate();
                    client.commit();
                }
            }
        }
        assertTrue(CatchUpDrain.depth() >= 400 || count(DualWriteDatabases.primary(DATABASE),
                "select count(*) from exodus.replay_queue") >= 400, "the transfers wait in the queue");

        DualWriteDatabases.startSecondary();
        Set<Long> totalsSeen = new ConcurrentSkipListSet<>();
        AtomicBoolean replaying = new AtomicBoolean(true);
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (Connection target = DualWriteDatabases.secondary(DATABASE).openJdbc();
                    Statement statement = target.createStatement()) {
                while (replaying.get()) {
                    try (ResultSet sum = statement.executeQuery("select sum(balance) from accounts")) {
                        sum.next();
                        totalsSeen.add(sum.getLong(1));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        CatchUpDrain.await(DRAIN_WITHIN);
        replaying.set(false);
        reader.get(30, TimeUnit.SECONDS);

        assertEquals(Set.of(20_000L), new TreeSet<>(totalsSeen), "the target's total at every moment of the replay");
        DualWriteDatabases.assertIdentical(DATABASE, "accounts");
    }

    /** Issue 4's third point, in phase dual-write: reads stay on the source, which has the session's write. */
    @Test
    void aSessionThatWroteWhileTheTargetWasDownReadsItsOwnWrite() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists notes");
        DualWriteDatabases.onBoth(DATABASE, "create table notes (id int primary key, body text)");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            idleRoundTrip(client);
            DualWriteDatabases.stopSecondaryImmediately();
            try (Statement statement = client.createStatement()) {
                statement.execute("insert into notes values (1, 'written while the target was down')");
                try (ResultSet read = statement.executeQuery("select body from notes where id = 1")) {
                    assertTrue(read.next(), "the session reads its own write back at once");
                    assertEquals("written while the target was down", read.getString(1));
                }
            }
        }
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "notes");
    }

    /**
     * PostgreSQL's sequence test, through dual-write while the queue had entries, read a lastval() of 7011 after its
     * own nextval() gave 1: the queue entry's id came from a nextval in the client's session. PHP's
     * PDO::lastInsertId() reads lastval() and would have stored that id as a foreign key. The id is drawn on the
     * proxy's own connection now; a session that never called nextval still has no lastval.
     */
    @Test
    void aQueuedCommitLeavesTheSessionsLastvalItsOwn() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists notes");
        DualWriteDatabases.onBoth(DATABASE, "create table notes (id bigint generated by default as identity (start 1000) primary key,"
                + " body text)");
        long entriesBefore = entriesDrawn();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Connection other = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            idleRoundTrip(client);
            idleRoundTrip(other);
            DualWriteDatabases.stopSecondaryImmediately();
            try (Statement statement = client.createStatement(); Statement fresh = other.createStatement()) {
                client.setAutoCommit(false);
                statement.execute("insert into notes (body) values ('queued')");
                long id = single(statement, "select lastval()");
                client.commit();
                assertEquals(id, single(statement, "select lastval()"), "lastval() after a queued COMMIT");
                client.setAutoCommit(true);
                statement.execute("update notes set body = 'queued, autocommit' where id = " + id);
                assertEquals(id, single(statement, "select lastval()"), "lastval() after a queued autocommit write");
                fresh.execute("update notes set body = 'queued by a session without lastval' where id = " + id);
                SQLException undefined = assertThrows(SQLException.class, () -> fresh.executeQuery("select lastval()"));
                assertEquals("55000", undefined.getSQLState(), undefined.getMessage());
            }
        }
        assertTrue(entriesDrawn() >= entriesBefore + 3, "the three transactions went to the queue");
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "notes");
    }

    /**
     * A client's own two-phase commit (XA transaction managers, the regression suite's prepared_xacts) of a
     * transaction headed for the queue. Its PREPARE TRANSACTION ran on the source alone and nothing was queued: the
     * target never saw the transaction, and the source's later COMMIT PREPARED left it without those rows (the suite's
     * pxtest3, dropped in such a transaction, stayed on the target). The entry is now prepared with the transaction:
     * COMMIT PREPARED queues it, ROLLBACK PREPARED drops it, and the target's "does not exist" for either is expected.
     */
    @Test
    void aPreparedTransactionThatWentToTheQueueReachesTheTargetWhenItCommits() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists ledger");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists retired");
        DualWriteDatabases.onBoth(DATABASE, "create table ledger (id int primary key, note text)");
        DualWriteDatabases.onBoth(DATABASE, "create table retired (id int)");
        double divergencesBefore = divergences.total();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            idleRoundTrip(client);
            DualWriteDatabases.stopSecondaryImmediately();
            statement.execute("begin");
            statement.execute("insert into ledger values (1, 'prepared, then committed')");
            statement.execute("drop table retired");
            statement.execute("prepare transaction 'exodus_queued_commit'");
            statement.execute("begin");
            statement.execute("insert into ledger values (2, 'prepared, then rolled back')");
            statement.execute("prepare transaction 'exodus_queued_rollback'");
            DualWriteDatabases.startSecondary();
            CatchUpDrain.await(DRAIN_WITHIN);
            statement.execute("commit prepared 'exodus_queued_commit'");
            statement.execute("rollback prepared 'exodus_queued_rollback'");
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "ledger");
        assertEquals("1", Psql.against(DualWriteDatabases.secondary(DATABASE))
                .query("select count(*) from ledger"), "the committed transaction's row, not the rolled back one's");
        assertEquals("", Psql.against(DualWriteDatabases.secondary(DATABASE))
                .query("select to_regclass('retired')"), "the prepared DROP applied on the target");
        assertEquals(divergencesBefore, divergences.total(), "COMMIT and ROLLBACK PREPARED of queued transactions: "
                + divergences.recent());
    }

    /**
     * A queued transaction that chose its isolation level (BEGIN ISOLATION LEVEL SERIALIZABLE, SET TRANSACTION …
     * REPEATABLE READ) was parked on replay: the replayer set the session's settings with a SELECT, which takes the
     * snapshot, and PostgreSQL then refused the stream's own change of level ("must be called before any query").
     * The target missed every such transaction. The replay now takes the level up front. DEFERRABLE, which PostgreSQL
     * refuses after the snapshot whatever its value, was parked the same way: the settings are now SET statements,
     * which take no snapshot (a search_path of several schemas, one needing quotes, among them).
     */
    @Test
    void aQueuedTransactionThatChoseItsIsolationLevelIsReplayed() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists isolated");
        DualWriteDatabases.onBoth(DATABASE, "create table isolated (id int primary key, how text)");
        double parkedBefore = divergences.count(Divergence.Kind.SECONDARY_ERROR);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            idleRoundTrip(client);
            statement.execute("set search_path = \"No Such Schema\", public");
            statement.execute("set timezone = 'Pacific/Chatham'");
            DualWriteDatabases.stopSecondaryImmediately();
            statement.execute("begin isolation level serializable");
            statement.execute("insert into isolated values (1, 'begin isolation level serializable')");
            statement.execute("commit");
            statement.execute("begin");
            statement.execute("set transaction isolation level repeatable read");
            statement.execute("insert into isolated values (2, 'set transaction isolation level repeatable read')");
            statement.execute("commit");
            statement.execute("begin isolation level serializable, read write, deferrable");
            statement.execute("insert into isolated values (3, 'deferrable ' || '2026-01-02 03:04'::timestamptz)");
            statement.execute("commit");
        }
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "isolated");
        assertEquals(parkedBefore, divergences.count(Divergence.Kind.SECONDARY_ERROR),
                "no entry parked: " + divergences.recent());
    }

    /**
     * A database written without pause stayed in queueing for as long as its writes went on: every poll of the queue
     * found a write queued after it began, so the queue was never seen drained, and every transaction of the database
     * went through it (those naming a session's temporary table were not mirrored at all: the regression suite's).
     * A write about to join a nearly empty queue now waits for it to drain, and goes live.
     */
    @Test
    void aDatabaseWrittenWithoutPauseLeavesTheQueueOnceItIsNearlyEmpty() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists steady");
        DualWriteDatabases.onBoth(DATABASE, "create table steady (id int primary key)");
        int live = -1;
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            idleRoundTrip(client);
            DualWriteDatabases.stopSecondaryImmediately();
            for (int id = 1; id <= 5; id++) {
                statement.execute("insert into steady values (" + id + ")");
            }
            DualWriteDatabases.startSecondary();
            // Bounded by time, not by a count: on a loaded machine the replay catches up with one client's stream
            // more slowly, and the point is only that it does while the stream goes on.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int id = 6; System.nanoTime() < until && live < 0; id++) {
                statement.execute("insert into steady values (" + id + ")");
                if (!replayQueues.queue(DualWriteDatabases.primarySide()).mustQueue(DATABASE)) {
                    live = id;
                }
            }
        }
        assertTrue(live > 0, "the database's writes went live again while they went on");
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "steady");
    }

    /**
     * Statements that cannot run in a transaction block cannot be queued as they are: while the target got the
     * database's writes through the queue, CREATE INDEX CONCURRENTLY was counted as a divergence and the target never
     * got the index (a UNIQUE one is a constraint); VACUUM was counted too, and pinned the session. The index
     * statements are now queued without CONCURRENTLY; maintenance that changes no answer is left out.
     */
    @Test
    void indexesMadeConcurrentlyWhileTheTargetIsAwayReachItThroughTheQueue() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists indexed");
        DualWriteDatabases.onBoth(DATABASE, "create table indexed (id int primary key, code text, note text)");
        double divergencesBefore = divergences.total();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            idleRoundTrip(client);
            DualWriteDatabases.stopSecondaryImmediately();
            statement.execute("insert into indexed values (1, 'a', 'queued first')");
            statement.execute("create unique index concurrently indexed_code on indexed (code)");
            statement.execute("create index concurrently if not exists indexed_note on indexed (note)");
            statement.execute("vacuum indexed");
            statement.execute("drop index concurrently indexed_note");
            statement.execute("insert into indexed values (2, 'b', 'queued after the index')");
        }
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "indexed");
        assertEquals("indexed_code", Psql.against(DualWriteDatabases.secondary(DATABASE)).query(
                "select string_agg(indexname, ',' order by indexname) from pg_indexes where tablename = 'indexed'"
                        + " and indexname <> 'indexed_pkey'"), "the unique index made, the other one made and dropped");
        assertEquals(divergencesBefore, divergences.total(), "nothing missed: " + divergences.recent());
    }

    /**
     * DETACH PARTITION … CONCURRENTLY, queued while the target is away, left the target's partition without the CHECK
     * constraint (its partition bound) that the concurrent form adds on the source: the schemas differed, silently.
     */
    @Test
    void aPartitionDetachedConcurrentlyWhileTheTargetIsAwayGetsItsConstraintThere() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists parted, parted_one, parted_span");
        DualWriteDatabases.onBoth(DATABASE, "create table parted (a int, b int, note text) partition by list (a)");
        DualWriteDatabases.onBoth(DATABASE, "create table parted_one partition of parted for values in (1)");
        DualWriteDatabases.onBoth(DATABASE, "create table parted_span partition of parted for values in (2, 3)");
        String constraints = "select string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid),"
                + " '; ' order by conname) from pg_constraint where conrelid in ('parted_one'::regclass,"
                + " 'parted_span'::regclass)";
        double divergencesBefore = divergences.total();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            idleRoundTrip(client);
            DualWriteDatabases.stopSecondaryImmediately();
            statement.execute("insert into parted values (1, 1, 'one'), (2, 2, 'two')");
            statement.execute("alter table parted detach partition parted_one concurrently");
            statement.execute("alter table public.parted detach partition \"parted_span\" concurrently;");
            statement.execute("insert into parted_one values (1, 5, 'after')");
        }
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(DRAIN_WITHIN);
        String onSource = Psql.against(DualWriteDatabases.primary(DATABASE)).query(constraints);
        assertTrue(onSource.contains("parted_one_a_check") && onSource.contains("parted_span_a_check"), onSource);
        assertEquals(onSource, Psql.against(DualWriteDatabases.secondary(DATABASE)).query(constraints));
        DualWriteDatabases.assertIdentical(DATABASE, "parted_one", "parted_span");
        assertEquals(divergencesBefore, divergences.total(), "nothing missed: " + divergences.recent());
    }

    private static long entriesDrawn() {
        return Long.parseLong(Psql.against(DualWriteDatabases.primary(DATABASE)).query(
                "select coalesce((select last_value from pg_sequences"
                        + " where schemaname = 'exodus' and sequencename = 'replay_queue_id_seq'), 0)"));
    }

    private static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Exactly once: an entry whose marker is on the target already (its apply committed, and the proxy died before
     * deleting it) is deleted, not applied again.
     */
    @Test
    void anEntryTheTargetAlreadyAppliedIsNotAppliedTwice() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists counter");
        DualWriteDatabases.onBoth(DATABASE, "create table counter (id int primary key, n int not null)");
        DualWriteDatabases.onBoth(DATABASE, "insert into counter values (1, 0)");
        try (Connection target = DualWriteDatabases.secondary(DATABASE).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute(CatchUpQueueSql.CREATE_MARKERS);
        }
        long next;
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE))) {
            try (Statement statement = client.createStatement()) {
                // A write through the proxy: the first one of a database creates its queue table.
                statement.execute("update counter set n = 0 where id = 1");
            }
            next = nextQueueId();
            try (Connection target = DualWriteDatabases.secondary(DATABASE).openJdbc();
                    Statement statement = target.createStatement()) {
                statement.execute("insert into exodus.replay_applied (queue_id) values (" + next + ")");
            }
            DualWriteDatabases.stopSecondaryImmediately();
            try (Statement statement = client.createStatement()) {
                statement.execute("update counter set n = n + 1 where id = 1");
            }
            assertEquals(next, count(DualWriteDatabases.primary(DATABASE), "select max(id) from exodus.replay_queue"));
        }
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals(1, count(DualWriteDatabases.primary(DATABASE), "select n from counter"));
        assertEquals(0, count(DualWriteDatabases.secondary(DATABASE), "select n from counter"),
                "the marker says the target has it: the replayer trusts it and does not apply the entry");
        assertEquals(0, count(DualWriteDatabases.secondary(DATABASE),
                "select count(*) from exodus.replay_applied where queue_id = " + next), "marker deleted with it");
    }

    /** Only a proxy can queue work for the replayer: an entry without a valid signature is parked, never run. */
    @Test
    void anEntryWithoutAValidSignatureIsParkedAndNeverApplied() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists forged");
        DualWriteDatabases.onBoth(DATABASE, "create table forged (id int primary key)");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            // Makes sure the queue table exists (the first write of a database creates it).
            statement.execute("insert into forged values (1)");
        }
        String sql = "insert into forged values (666)";
        byte[] body = (sql + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] query = new byte[5 + body.length];
        query[0] = 'Q';
        int length = 4 + body.length;
        query[1] = (byte) (length >>> 24);
        query[2] = (byte) (length >>> 16);
        query[3] = (byte) (length >>> 8);
        query[4] = (byte) length;
        System.arraycopy(body, 0, query, 5, body.length);
        try (Connection source = DualWriteDatabases.primary(DATABASE).openJdbc();
                PreparedStatement forge = source.prepareStatement("insert into exodus.replay_queue (proxy_id, context,"
                        + " stream, ready_count, expected_tags, signature) values ('forger', '', ?, 1, "
                        + "'{INSERT 0 1}', '\\x00')")) {
            forge.setBytes(1, query);
            forge.executeUpdate();
        }
        long deadline = System.nanoTime() + DRAIN_WITHIN.toNanos();
        while (count(DualWriteDatabases.primary(DATABASE),
                "select count(*) from exodus.replay_queue where proxy_id = 'forger' and state = 'failed'") == 0) {
            assertTrue(System.nanoTime() < deadline, "the forged entry was not parked");
            Thread.sleep(200);
        }
        assertEquals(0, count(DualWriteDatabases.secondary(DATABASE), "select count(*) from forged where id = 666"));
        try (Connection source = DualWriteDatabases.primary(DATABASE).openJdbc();
                Statement statement = source.createStatement()) {
            statement.execute("delete from exodus.replay_queue where proxy_id = 'forger'");
        }
        assertFalse(count(DualWriteDatabases.primary(DATABASE), "select count(*) from forged where id = 666") > 0);
    }

    /**
     * The target's commit-marker table gone (dropped, or lost with its last commits: a crash with synchronous_commit
     * off, a restore from an older backup) while entries wait: the replayer makes it again and the queue drains.
     */
    @Test
    void commitMarkersTheTargetLostAreMadeAgain() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists marked");
        DualWriteDatabases.onBoth(DATABASE, "create table marked (id int primary key)");
        String markersExist =
                "select count(*) from pg_tables where schemaname = 'exodus' and tablename = 'replay_applied'";
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            // A live write makes the database's queue, and the target's markers a moment later.
            statement.execute("insert into marked values (0)");
            long deadline = System.nanoTime() + DRAIN_WITHIN.toNanos();
            while (count(DualWriteDatabases.secondary(DATABASE), markersExist) == 0) {
                assertTrue(System.nanoTime() < deadline, "no commit markers on the target");
                Thread.sleep(100);
            }
            idleRoundTrip(client);
            DualWriteDatabases.stopSecondaryImmediately();
            statement.execute("insert into marked values (1)");
        }
        // Another proxy "replays" meanwhile, so that the markers are dropped before this proxy's replay reads them.
        try (CatchUpLockHolder otherProxy = CatchUpLockHolder.take(DATABASE)) {
            DualWriteDatabases.startSecondary();
            try (Connection target = DualWriteDatabases.secondary(DATABASE).openJdbc();
                    Statement statement = target.createStatement()) {
                statement.execute("drop table exodus.replay_applied");
            }
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "marked");
        assertEquals(1, count(DualWriteDatabases.secondary(DATABASE), markersExist), "made again");
    }

    private long nextQueueId() throws SQLException {
        return count(DualWriteDatabases.primary(DATABASE), "select case when is_called then last_value + 1 "
                + "else last_value end from exodus.replay_queue_id_seq");
    }

    /** A round trip, so that the session's last commit reached the target before it stops. */
    private static void idleRoundTrip(Connection client) throws SQLException {
        try (Statement statement = client.createStatement(); ResultSet one = statement.executeQuery("select 1")) {
            assertTrue(one.next());
        }
    }

}
