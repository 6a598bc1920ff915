package io.exodus.proxy.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.exodus.proxy.dualwrite.CrossVersionProfile;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.OtherSettingsServer;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.vertx.core.Vertx;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class InitialSyncTest {
    private static final SyncSettings SETTINGS = new SyncSettings(2, 64L << 20, TablesWithoutKey.INSERT_ONLY,
            LargeObjects.REFUSE, UnloggedTables.REFUSE, Duration.ofSeconds(5), 3, 10_000, Duration.ZERO,
            Optional.empty(), Optional.empty());
    /** Tables of 256 kB or more in parts (ADR 0047): orders, line_items, events_log and the partitions. */
    private static final SyncSettings SPLIT = new SyncSettings(2, 256 << 10, TablesWithoutKey.INSERT_ONLY,
            LargeObjects.REFUSE, UnloggedTables.REFUSE, Duration.ofSeconds(5), 3, 10_000, Duration.ZERO,
            Optional.empty(), Optional.empty());

    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void targetCatchesUpWhileTheSourceIsWrittenAndSwitchesToDualWriteWithoutAGap() throws Exception {
        catchesUpWhileWrittenAndSwitches(SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_live"));
    }

    /**
     * The same from the oldest PostgreSQL Exodus supports to the newest (postgres.source-binaries.version and
     * postgres.target-binaries.version in the root pom: 13 and 17), the servers the cross-version dual-write test uses.
     */
    /**
     * Large tables copied in parts by both copiers at once under the slot's one snapshot, while the source is written:
     * after the catch-up the target is the source, row by row.
     */
    @Test
    void largeTablesCopiedInPartsUnderWritesEndIdentical() throws Exception {
        SyncStatus status = catchesUpWhileWrittenAndSwitches(SyncedDatabases.fresh(TestDatabases.source(),
                TestDatabases.target(), "sync_split_live"), SPLIT);
        for (String table : List.of("public.orders", "public.line_items", "public.events_log")) {
            SyncStatus.Table copied = status.tables().stream().filter(t -> t.name().equals(table)).findFirst()
                    .orElseThrow();
            assertTrue(copied.parts() >= 4 && copied.parts() % 2 == 0, copied::toString);
            assertNotNull(copied.copyMillis(), copied::toString);
        }
        assertEquals(1, status.tables().stream().filter(t -> t.name().equals("public.audited")).findFirst()
                .orElseThrow().parts(), "a table below the threshold is copied whole");
    }

    /**
     * The same from the oldest PostgreSQL Exodus supports to the newest, asked to split: PostgreSQL 13 has no TID
     * Range Scan (each part would read the whole heap), so every table is copied whole and the notes say so.
     */
    @Test
    void olderSourceToNewerTargetCatchesUpAndSwitchesToDualWrite() throws Exception {
        SyncStatus status = catchesUpWhileWrittenAndSwitches(SyncedDatabases.fresh(CrossVersionProfile.olderSource(),
                CrossVersionProfile.newerTarget(), "sync_cross_version"), SPLIT);
        assertTrue(status.tables().stream().allMatch(table -> table.parts() == 1), status::toString);
        assertTrue(status.notes().stream().anyMatch(note -> note.contains("copied whole, not in parts")
                && note.contains("public.orders")), status::toString);
    }

    private SyncStatus catchesUpWhileWrittenAndSwitches(SyncedDatabases databases) throws Exception {
        return catchesUpWhileWrittenAndSwitches(databases, SETTINGS);
    }

    private SyncStatus catchesUpWhileWrittenAndSwitches(SyncedDatabases databases, SyncSettings settings)
            throws Exception {
        SyncedDatabases.execute(databases.source(), SyncSourceSchema.SCHEMA);
        SyncedDatabases.execute(databases.source(), SyncSourceSchema.ROWS);
        WorkloadGate gate = new WorkloadGate(vertx);
        SyncProgress progress = new SyncProgress();
        try (SourceWorkload workload = new SourceWorkload(databases.source(), databases.target(), gate)) {
            Thread.sleep(300);
            run(databases, gate, progress, settings);
            assertTrue(gate.dualWrite(), "the sync turned the workload to dual-write");
            long switchedAt = workload.transactionsAfterSwitch();
            while (workload.transactionsAfterSwitch() < switchedAt + 50) {
                Thread.sleep(20);
            }
            assertTrue(workload.transactionsBeforeSwitch() > 0);
        }
        SyncStatus status = progress.status();
        assertEquals(SyncState.DONE, status.state(), () -> "sync ended " + status);
        assertTrue(status.rowsCopied() >= 30_000 + 3_000 + 60_000 + 20_000 + 30_000 + 1_000, status::toString);
        assertTrue(status.changesApplied() > 0, "changes made during the copy were streamed: " + status);
        assertNotNull(status.switchPauseMillis());
        assertTrue(status.tables().stream().allMatch(table -> table.state().equals("copied")), status::toString);
        assertTrue(status.notes().stream().anyMatch(note -> note.contains("events_log")), status::toString);

        TableComparison.assertIdentical(databases.source(), databases.target(), SyncSourceSchema.TABLES);
        assertEquals(0, SyncedDatabases.number(databases.source(),
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'exodus_sync'"), "slot dropped");
        assertEquals(0, SyncedDatabases.number(databases.source(), "SELECT count(*) FROM pg_publication"));
        assertSequencesAhead(databases, 4);
        assertEquals(1, SyncedDatabases.number(databases.target(),
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audited_audit'"), "post-data restored");
        return status;
    }

    /**
     * The status says where the wall time went: every step a first sync runs, each table's COPY, and steps that do not
     * overlap (their sum stays within the time from the start to the end).
     */
    @Test
    void timingsSayWhereTheWallTimeWentStepByStep() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_timings");
        SyncedDatabases.execute(databases.source(), SyncSourceSchema.SCHEMA);
        SyncedDatabases.execute(databases.source(), SyncSourceSchema.ROWS);
        SyncProgress progress = new SyncProgress();
        run(databases, new WorkloadGate(vertx), progress);
        SyncStatus status = progress.status();
        assertEquals(SyncState.DONE, status.state(), status::toString);
        assertEquals(List.of("checks", "schema-dump", "slot", "pre-data", "rows", "post-data", "catch-up", "switch",
                "cleanup"), List.copyOf(status.timings().keySet()), status::toString);
        long sum = status.timings().values().stream().mapToLong(Long::longValue).sum();
        long wall = Duration.between(status.startedAt(), status.finishedAt()).toMillis();
        assertTrue(sum <= wall, () -> "steps " + status.timings() + " add up to " + sum + " ms, more than the " + wall
                + " ms from start to end");
        assertTrue(status.timings().get("rows") > 0, status::toString);
        for (SyncStatus.Table table : status.tables()) {
            assertNotNull(table.copyMillis(), table::toString);
            assertTrue(table.copyMillis() <= status.timings().get("rows"), status::toString);
        }
    }

    @Test
    void sourceWithoutLogicalDecodingIsRefusedBeforeAnythingIsWritten() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(
                OtherSettingsServer.of("source-wal-replica", Map.of("wal_level", "replica")), TestDatabases.target(),
                "sync_refused");
        SyncedDatabases.execute(databases.source(), "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
        SyncProgress progress = new SyncProgress();
        run(databases, new WorkloadGate(vertx), progress);
        SyncStatus status = progress.status();
        assertEquals(SyncState.FAILED, status.state());
        assertTrue(status.error().contains("wal_level = replica") && status.error().contains("rds.logical_replication")
                && status.error().contains("cloudsql.logical_decoding"), status.error());
        assertNothingWritten(databases);
    }

    /**
     * Large objects and unlogged tables: logical decoding cannot carry either, so a source that holds some is refused
     * before anything is written, naming both, unless exodus.sync.large-objects=skip and
     * exodus.sync.unlogged-tables=schema-only say the target needs neither: then the notes say what was left out.
     */
    @Test
    void largeObjectsAndUnloggedTablesAreRefusedUnlessLeftOutByName() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_left_out");
        SyncedDatabases.execute(databases.source(), "CREATE TABLE t (id int PRIMARY KEY, document oid);"
                + "INSERT INTO t VALUES (1, lo_from_bytea(0, 'a large object'));"
                + "CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text); INSERT INTO cache VALUES ('a', 'b')");
        SyncProgress refused = new SyncProgress();
        run(databases, new WorkloadGate(vertx), refused);
        assertEquals(SyncState.FAILED, refused.status().state(), () -> refused.status().toString());
        String error = refused.status().error();
        assertTrue(error.contains("holds 1 large objects") && error.contains("exodus.sync.large-objects=skip"), error);
        assertTrue(error.contains("unlogged tables: public.cache")
                && error.contains("exodus.sync.unlogged-tables=schema-only"), error);
        assertNothingWritten(databases);

        SyncSettings leftOut = new SyncSettings(2, 64L << 20, TablesWithoutKey.INSERT_ONLY, LargeObjects.SKIP,
                UnloggedTables.SCHEMA_ONLY, Duration.ofSeconds(5), 3, 10_000, Duration.ZERO, Optional.empty(),
                Optional.empty());
        SyncProgress synced = new SyncProgress();
        run(databases, new WorkloadGate(vertx), synced, leftOut);
        SyncStatus status = synced.status();
        assertEquals(SyncState.DONE, status.state(), status::toString);
        assertTrue(status.notes().stream().anyMatch(note -> note.contains("1 large objects are not copied")),
                status::toString);
        assertTrue(status.notes().stream().anyMatch(note -> note.contains("no rows") && note.contains("public.cache")),
                status::toString);
        TableComparison.assertIdentical(databases.source(), databases.target(), "t");
        assertEquals(0, SyncedDatabases.number(databases.target(), "SELECT count(*) FROM pg_largeobject_metadata"));
        assertEquals(0, SyncedDatabases.number(databases.target(), "SELECT count(*) FROM cache"), "schema only");
    }

    /**
     * The settings a session gets at login from its database and role, which pg_dump does not copy: on a target without
     * them, dual-write's statements would run under other ones there (a timestamp literal read in another time zone,
     * an unqualified name in another schema). Refused before anything is written, with the statements that mend it;
     * once run on the target, the sync goes through.
     */
    @Test
    void loginSettingsTheTargetLacksAreRefusedWithTheStatementsThatMendThem() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_login_settings");
        String database = databases.source().database();
        SyncedDatabases.execute(databases.source(), "CREATE TABLE t (id int PRIMARY KEY, at timestamptz);"
                + "INSERT INTO t VALUES (1, '2026-01-01 10:00');"
                + "ALTER DATABASE " + database + " SET timezone = 'Asia/Tokyo';"
                + "ALTER ROLE " + TestUsers.SCRAM_USER + " IN DATABASE " + database + " SET search_path = app, public;"
                // Not one that changes values: left alone.
                + "ALTER DATABASE " + database + " SET work_mem = '8MB'");
        SyncProgress refused = new SyncProgress();
        run(databases, new WorkloadGate(vertx), refused);
        assertEquals(SyncState.FAILED, refused.status().state(), () -> refused.status().toString());
        String error = refused.status().error();
        assertTrue(error.contains("database " + database + ": timezone is 'Asia/Tokyo' on the source, unset on the "
                + "target (ALTER DATABASE \"" + database + "\" SET timezone = 'Asia/Tokyo')"), error);
        assertTrue(error.contains("role " + TestUsers.SCRAM_USER + " in database " + database + ": search_path is "
                + "'app, public' on the source, unset on the target (ALTER ROLE \"" + TestUsers.SCRAM_USER
                + "\" IN DATABASE \"" + database + "\" SET search_path = app, public)"), error);
        assertFalse(error.contains("work_mem"), error);
        assertNothingWritten(databases);

        SyncedDatabases.execute(databases.target(), "ALTER DATABASE " + database + " SET timezone = 'Asia/Tokyo';"
                + "ALTER ROLE " + TestUsers.SCRAM_USER + " IN DATABASE " + database + " SET search_path = app, public");
        SyncProgress synced = new SyncProgress();
        run(databases, new WorkloadGate(vertx), synced);
        assertEquals(SyncState.DONE, synced.status().state(), () -> synced.status().toString());
        TableComparison.assertIdentical(databases.source(), databases.target(), "t");
    }

    @Test
    void targetWithAnotherSchemaIsRefusedBeforeAnythingIsWritten() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_conflict");
        SyncedDatabases.execute(databases.source(), "CREATE TABLE t (id int PRIMARY KEY, name text)");
        SyncedDatabases.execute(databases.target(), "CREATE TABLE t (id int PRIMARY KEY, name varchar(10))");
        SyncProgress progress = new SyncProgress();
        run(databases, new WorkloadGate(vertx), progress);
        assertEquals(SyncState.FAILED, progress.status().state());
        assertTrue(progress.status().error().contains("another schema"), progress.status().error());
        assertNoSlotOrPublicationOnTheSource(databases);
    }

    @Test
    void targetWithTheSourcesSchemaKeepsItAndGetsTheRows() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_same_schema");
        String schema = "CREATE TABLE parent (a int, b text, PRIMARY KEY (a, b));"
                + "CREATE TABLE child (id bigserial PRIMARY KEY, a int, b text, FOREIGN KEY (a, b) REFERENCES parent);"
                + "CREATE INDEX child_b ON child (b);";
        SyncedDatabases.execute(databases.source(), schema);
        SyncedDatabases.execute(databases.target(), schema);
        SyncedDatabases.execute(databases.source(), "INSERT INTO parent SELECT i, 'p' || i FROM generate_series(1, 500) i;"
                + "INSERT INTO child (a, b) SELECT i % 500 + 1, 'p' || (i % 500 + 1) FROM generate_series(1, 2000) i");
        SyncProgress progress = new SyncProgress();
        WorkloadGate gate = new WorkloadGate(vertx);
        run(databases, gate, progress);
        assertEquals(SyncState.DONE, progress.status().state(), () -> progress.status().toString());
        assertTrue(progress.status().notes().stream().anyMatch(note -> note.contains("kept as it is")));
        // The shared servers hold the database "app" too: the switch leaves its sessions on the source.
        assertTrue(progress.status().notes().stream().anyMatch(note -> note.startsWith("the source's server holds "
                + "other databases (") && note.contains(TestUsers.APP_DATABASE)), () -> progress.status().toString());
        assertEquals(MigrationDatabases.of(List.of(databases.source().database())), gate.movedOnly());
        TableComparison.assertIdentical(databases.source(), databases.target(), "parent", "child");
        assertSequencesAhead(databases, 1);
    }

    /**
     * A part that fails after others of its table were loaded: until the last part is in, the table is not in the
     * journal (a proxy killed there resumes by copying it whole again), the sync fails naming the part, and the next
     * sync empties the table and ends with the source's rows. The target keeps the source's schema, so its primary
     * key is there during the copy: a row the test inserts without committing makes the table's last part wait, and
     * fail once it commits.
     */
    @Test
    void aPartThatFailsLeavesTheTableNotCopiedAndTheNextSyncCopiesItWhole() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_split_fail");
        String schema = "CREATE TABLE big (id int PRIMARY KEY, pad text NOT NULL)";
        SyncedDatabases.execute(databases.source(), schema);
        SyncedDatabases.execute(databases.target(), schema);
        SyncedDatabases.execute(databases.source(), "INSERT INTO big SELECT i, repeat('x', 100) || i "
                + "FROM generate_series(1, 20000) AS i; ANALYZE big");
        SyncProgress failing = new SyncProgress();
        CompletableFuture<Void> first;
        try (Connection conflicting = databases.target().openJdbc();
                Statement insert = conflicting.createStatement()) {
            conflicting.setAutoCommit(false);
            // The source's last row, so in the last part (the rows lie in the heap in the order inserted).
            insert.execute("INSERT INTO big VALUES (20000, 'not the source''s')");
            first = start(databases, new WorkloadGate(vertx), failing, SPLIT);
            while (SyncedDatabases.number(databases.target(), "SELECT count(*) FROM pg_stat_activity "
                    + "WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'COPY%'") == 0) {
                assertFalse(first.isDone(), () -> "the sync ended without the last part waiting: " + failing.status());
                Thread.sleep(20);
            }
            long loaded = SyncedDatabases.number(databases.target(), "SELECT count(*) FROM big");
            assertTrue(loaded > 0 && loaded < 20000, () -> loaded + " rows loaded by the parts before the last");
            assertEquals(0, SyncedDatabases.number(databases.target(),
                    "SELECT count(*) FROM exodus.sync_copied WHERE table_name = 'public.big'"), "not journaled yet");
            conflicting.commit();
        }
        try {
            first.get(2, TimeUnit.MINUTES);
        } catch (ExecutionException expected) {
            // asserted below
        }
        SyncStatus failed = failing.status();
        assertEquals(SyncState.FAILED, failed.state(), failed::toString);
        assertTrue(failed.error().contains("public.big (part ") && failed.error().contains("duplicate key"),
                failed.error());
        assertTrue(failed.tables().get(0).parts() > 2, failed::toString);
        assertEquals("copying", failed.tables().get(0).state(), failed::toString);

        SyncProgress again = new SyncProgress();
        run(databases, new WorkloadGate(vertx), again, SPLIT);
        assertEquals(SyncState.DONE, again.status().state(), () -> again.status().toString());
        assertEquals(20000, again.status().rowsCopied(), () -> again.status().toString());
        TableComparison.assertIdentical(databases.source(), databases.target(), "big");
    }

    /**
     * What a proxy killed mid-split leaves (ADR 0047): the slot and its publications, the journal without the table,
     * and on the target the rows of the parts that had committed. The resumed sync has no exported snapshot to split
     * under: it copies the table whole under a snapshot of its own, emptying it first, and ends with the source's
     * rows, changes made since the slot included.
     */
    @Test
    void aSyncKilledMidSplitResumesAndCopiesTheTableWhole() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_split_resume");
        SyncedDatabases.execute(databases.source(), "CREATE TABLE big (id int PRIMARY KEY, pad text NOT NULL);"
                + "INSERT INTO big SELECT i, repeat('x', 100) || i FROM generate_series(1, 20000) AS i; ANALYZE big");
        leftByAFirstRunThatDied(databases, "big");
        // The pre-data section restored (no primary key yet), and the first of the table's parts committed.
        SyncedDatabases.execute(databases.target(), "CREATE TABLE big (id int NOT NULL, pad text NOT NULL);"
                + "INSERT INTO big SELECT i, repeat('x', 100) || i FROM generate_series(1, 5000) AS i");
        SyncedDatabases.execute(databases.source(), "UPDATE big SET pad = 'changed' WHERE id <= 10;"
                + "INSERT INTO big VALUES (20001, 'after the slot'); DELETE FROM big WHERE id = 19999");

        SyncProgress progress = new SyncProgress();
        try {
            run(databases, new WorkloadGate(vertx), progress, SPLIT);
        } finally {
            // The slot's name is the server's: one left by a failure here would hold other tests' syncs.
            SyncedDatabases.execute(databases.source(), "SELECT pg_drop_replication_slot(slot_name) "
                    + "FROM pg_replication_slots WHERE slot_name = '" + SyncNames.SLOT + "' AND NOT active");
        }
        SyncStatus status = progress.status();
        assertEquals(SyncState.DONE, status.state(), status::toString);
        assertTrue(status.notes().stream().anyMatch(note -> note.startsWith("resumed the sync")), status::toString);
        assertEquals(1, status.tables().get(0).parts(), status::toString);
        TableComparison.assertIdentical(databases.source(), databases.target(), "big");
    }

    /**
     * DDL on the source during the sync, here just before the switch by a client that bypasses Exodus: an index, a
     * table, a column (whose row then reaches the slot). The sync copies the schema once, so the target would lack
     * them: the sync fails naming each, nothing turns to dual-write, the workload goes on on the source, and neither
     * the slot nor the publications are left behind.
     */
    @Test
    void ddlOnTheSourceDuringTheSyncStopsItNamingWhatChangedAndNothingSwitches() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(), "sync_ddl");
        SyncedDatabases.execute(databases.source(), SyncSourceSchema.SCHEMA);
        SyncedDatabases.execute(databases.source(), SyncSourceSchema.ROWS);
        WorkloadGate gate = new WorkloadGate(vertx).atFirstPause(() -> ddl(databases.source(),
                "CREATE INDEX orders_customer_idx ON orders (customer); CREATE TABLE late_table (id int PRIMARY KEY); "
                        + "ALTER TABLE audited ADD COLUMN added int DEFAULT 5; INSERT INTO audited VALUES (-1, 1, 2)"));
        SyncProgress progress = new SyncProgress();
        try (SourceWorkload workload = new SourceWorkload(databases.source(), databases.target(), gate)) {
            Thread.sleep(300);
            run(databases, gate, progress);
            assertFalse(gate.paused(), "the application's transactions were let go");
            long failedAt = workload.transactionsBeforeSwitch();
            while (workload.transactionsBeforeSwitch() < failedAt + 20) {
                Thread.sleep(20);
            }
        }
        SyncStatus status = progress.status();
        assertEquals(SyncState.FAILED, status.state(), status::toString);
        for (String change : List.of("index public.orders_customer_idx created", "table public.late_table created",
                "table public.audited altered")) {
            assertTrue(status.error().contains(change), status.error());
        }
        assertTrue(status.error().contains("POST /exodus/migration/sync"), status.error());
        assertFalse(gate.dualWrite(), "nothing turned to dual-write");
        assertNoSlotOrPublicationOnTheSource(databases);
    }

    /**
     * The target dies while a table is being copied into it (held by a lock the test took on the target, so that the
     * copy is surely under way): the sync fails saying so, the slot and the publications leave the source, the
     * application writes on. Once the target is back a new sync ends identical.
     */
    @Test
    void aTargetThatDiesMidCopyFailsTheSyncCleanlyAndTheNextSyncEndsIdentical() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_target_dies");
        String schema = "CREATE TABLE t (id int PRIMARY KEY, v text)";
        SyncedDatabases.execute(databases.source(), schema
                + "; INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 5000) i");
        SyncedDatabases.execute(databases.target(), schema);
        SyncProgress progress = new SyncProgress();
        try (Connection holder = databases.target().openJdbc(); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            // SHARE: the copy's DELETE and COPY wait, pg_dump's read of the target's schema does not.
            lock.execute("LOCK TABLE t IN SHARE MODE");
            start(databases, new WorkloadGate(vertx), progress, SETTINGS);
            awaitTablesCopying(progress, 1);
            TestDatabases.stopTargetImmediately();
        } catch (java.sql.SQLException holderLost) {
            // Closing the lock's session, which died with the target.
        } finally {
            TestDatabases.startTarget();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (progress.status().state() != SyncState.FAILED && progress.status().state() != SyncState.DONE) {
            assertTrue(System.nanoTime() < deadline, progress.status()::toString);
            Thread.sleep(20);
        }
        SyncStatus failed = progress.status();
        assertEquals(SyncState.FAILED, failed.state(), failed::toString);
        assertTrue(failed.error().contains("public.t") && failed.error().contains("target"), failed.error());
        assertNoSlotOrPublicationOnTheSource(databases);

        SyncedDatabases.execute(databases.source(), "INSERT INTO t VALUES (5001, 'after the failure')");
        SyncProgress again = new SyncProgress();
        run(databases, new WorkloadGate(vertx), again);
        assertEquals(SyncState.DONE, again.status().state(), () -> again.status().toString());
        TableComparison.assertIdentical(databases.source(), databases.target(), "t");
    }

    /**
     * DDL while rows are copied stops the sync between tables, before the copy ends (here every check interval is
     * zero). The copies are held by locks the test takes on the target until the DDL has committed.
     */
    @Test
    void ddlDuringTheCopyStopsItBeforeTheNextTable() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_ddl_mid_copy");
        String schema = "CREATE TABLE t1 (id int PRIMARY KEY); CREATE TABLE t2 (id int PRIMARY KEY);"
                + "CREATE TABLE t3 (id int PRIMARY KEY)";
        SyncedDatabases.execute(databases.source(), schema + "; INSERT INTO t1 SELECT generate_series(1, 300);"
                + "INSERT INTO t2 SELECT generate_series(1, 200); INSERT INTO t3 SELECT generate_series(1, 100)");
        SyncedDatabases.execute(databases.target(), schema);
        SyncProgress progress = new SyncProgress();
        CompletableFuture<Void> sync;
        try (Connection holder = databases.target().openJdbc(); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE t1, t2, t3 IN SHARE MODE");
            sync = start(databases, new WorkloadGate(vertx), progress, SETTINGS);
            awaitTablesCopying(progress, 2);
            SyncedDatabases.execute(databases.source(), "CREATE TABLE late (id int)");
            holder.commit();
        }
        try {
            sync.get(2, TimeUnit.MINUTES);
        } catch (ExecutionException failed) {
            // asserted below
        }
        SyncStatus status = progress.status();
        assertEquals(SyncState.FAILED, status.state(), status::toString);
        assertTrue(status.error().contains("table public.late created"), status.error());
        assertTrue(status.tables().stream().anyMatch(table -> table.state().equals("waiting")),
                () -> "stopped before its last table: " + status);
        assertNoSlotOrPublicationOnTheSource(databases);
    }

    /** DDL outside what the sync copies (here a schema it was not asked for) does not stop it. */
    @Test
    void ddlOutsideTheSyncedSchemasLetsTheSyncFinish() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_ddl_elsewhere");
        SyncedDatabases.execute(databases.source(), "CREATE TABLE t (id int PRIMARY KEY, v text);"
                + "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 1000) i; CREATE SCHEMA elsewhere");
        WorkloadGate gate = new WorkloadGate(vertx).atFirstPause(() -> ddl(databases.source(),
                "CREATE TABLE elsewhere.late_table (id int); CREATE INDEX ON elsewhere.late_table (id)"));
        SyncProgress progress = new SyncProgress();
        try {
            start(databases, gate, progress, SETTINGS, new SyncRequest(List.of("public"), List.of()))
                    .get(2, TimeUnit.MINUTES);
        } catch (ExecutionException failed) {
            // asserted below
        }
        assertEquals(SyncState.DONE, progress.status().state(), () -> progress.status().toString());
        assertTrue(gate.dualWrite());
        TableComparison.assertIdentical(databases.source(), databases.target(), "t");
    }

    /**
     * DDL between a crash and the resumption: the resumed sync compares the source's schema with the one the first
     * run journaled, so the change is named, though this run's own dump has it.
     */
    @Test
    void ddlBeforeAResumptionStopsTheResumedSync() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_ddl_resume");
        SyncedDatabases.execute(databases.source(), "CREATE TABLE t (id int PRIMARY KEY, v text);"
                + "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 1000) i");
        leftByAFirstRunThatDied(databases, "t");
        SyncedDatabases.execute(databases.target(), "CREATE TABLE t (id int NOT NULL, v text)");
        SyncedDatabases.execute(databases.source(), "ALTER TABLE t ADD CONSTRAINT v_set CHECK (v IS NOT NULL)");
        SyncProgress progress = new SyncProgress();
        try {
            run(databases, new WorkloadGate(vertx), progress);
        } finally {
            SyncedDatabases.execute(databases.source(), "SELECT pg_drop_replication_slot(slot_name) "
                    + "FROM pg_replication_slots WHERE slot_name = '" + SyncNames.SLOT + "' AND NOT active");
        }
        SyncStatus status = progress.status();
        assertEquals(SyncState.FAILED, status.state(), status::toString);
        assertTrue(status.error().contains("constraint public.t v_set created"), status.error());
    }

    /**
     * What a first run that died after making its slot leaves: the publications of {@code table} and the slot on the
     * source, and its journal on the target, with the source's schema as it is now.
     */
    private static void leftByAFirstRunThatDied(SyncedDatabases databases, String table) throws Exception {
        SyncedDatabases.execute(databases.source(), "CREATE PUBLICATION " + SyncNames.PUBLICATION + " FOR TABLE "
                + table + "; CREATE PUBLICATION " + SyncNames.INSERT_ONLY_PUBLICATION
                + " WITH (publish = 'insert, truncate')");
        SyncedDatabases.execute(databases.source(),
                "SELECT pg_create_logical_replication_slot('" + SyncNames.SLOT + "', 'pgoutput')");
        io.exodus.proxy.backend.ControlConnections connections = new io.exodus.proxy.backend.ControlConnections(vertx);
        try {
            io.vertx.sqlclient.Pool source = connections.to(databases.sourceEndpoint());
            io.vertx.sqlclient.Pool target = connections.to(databases.targetEndpoint());
            SchemaFingerprint.read(source, SyncRequest.everything())
                    .compose(fingerprint -> SyncJournal.begin(target, SyncRequest.everything(), fingerprint))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            connections.closeAll().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Waits until {@code count} tables are being copied: held there by the test's locks on the target. */
    private static void awaitTablesCopying(SyncProgress progress, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (progress.status().tables().stream().filter(table -> table.state().equals("copying")).count() < count) {
            assertTrue(System.nanoTime() < deadline, progress.status()::toString);
            Thread.sleep(20);
        }
    }

    private static void ddl(ConnectionTarget database, String sql) {
        try {
            SyncedDatabases.execute(database, sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A sync interrupted after its switch was journaled, where phases are not durable (the gate, as the control plane
     * off): nothing tells whether sessions wrote in dual-write, so the next sync applies nothing and keeps the slot and
     * the journal for the operator (ADR 0035).
     */
    @Test
    void aSwitchInterruptedWithoutADurablePhaseIsRefusedKeepingTheSlotAndTheJournal() throws Exception {
        SyncedDatabases databases = SyncedDatabases.fresh(TestDatabases.source(), TestDatabases.target(),
                "sync_switch_undurable");
        SyncedDatabases.execute(databases.source(), "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
        SyncedDatabases.execute(databases.source(),
                "SELECT pg_create_logical_replication_slot('" + SyncNames.SLOT + "', 'pgoutput')");
        io.exodus.proxy.backend.ControlConnections connections = new io.exodus.proxy.backend.ControlConnections(vertx);
        try {
            io.vertx.sqlclient.Pool target = connections.to(databases.targetEndpoint());
            SyncJournal.begin(target, SyncRequest.everything(), new SchemaFingerprint(Map.of()))
                    .compose(v -> SyncJournal.markSwitch(target, new SyncJournal.SwitchMark(Lsn.parse("0/1"), null)))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            connections.closeAll().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        SyncProgress progress = new SyncProgress();
        try {
            run(databases, new WorkloadGate(vertx), progress);
            assertEquals(SyncState.FAILED, progress.status().state(), () -> progress.status().toString());
            assertTrue(progress.status().error().contains("exodus.control.enabled=false")
                    && progress.status().error().contains("pg_drop_replication_slot"), progress.status().error());
            assertEquals(1, SyncedDatabases.number(databases.source(), "SELECT count(*) FROM pg_replication_slots "
                    + "WHERE slot_name = '" + SyncNames.SLOT + "'"), "the slot is kept");
            assertEquals(1, SyncedDatabases.number(databases.target(),
                    "SELECT count(*) FROM exodus.sync_run WHERE switch_lsn IS NOT NULL"), "the journal is kept");
            assertEquals(0, SyncedDatabases.number(databases.target(), "SELECT count(*) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"), "nothing copied");
        } finally {
            SyncedDatabases.execute(databases.source(), "SELECT pg_drop_replication_slot(slot_name) "
                    + "FROM pg_replication_slots WHERE slot_name = '" + SyncNames.SLOT + "'");
        }
    }

    private static void run(SyncedDatabases databases, WorkloadGate gate, SyncProgress progress) throws Exception {
        run(databases, gate, progress, SETTINGS);
    }

    private static void run(SyncedDatabases databases, WorkloadGate gate, SyncProgress progress,
            SyncSettings settings) throws Exception {
        try {
            start(databases, gate, progress, settings).get(2, TimeUnit.MINUTES);
        } catch (ExecutionException failed) {
            // The status tells how it ended; each test asserts what it expects.
        }
    }

    private static CompletableFuture<Void> start(SyncedDatabases databases, WorkloadGate gate, SyncProgress progress,
            SyncSettings settings) {
        return start(databases, gate, progress, settings, SyncRequest.everything());
    }

    private static CompletableFuture<Void> start(SyncedDatabases databases, WorkloadGate gate, SyncProgress progress,
            SyncSettings settings, SyncRequest request) {
        InitialSync sync = new InitialSync(vertx, databases.sourceEndpoint(), databases.targetEndpoint(), settings,
                Duration.ofSeconds(10), 1 << 30, gate, progress);
        return sync.run(request).toCompletionStage().toCompletableFuture();
    }

    private static void assertNothingWritten(SyncedDatabases databases) throws Exception {
        assertEquals(0, SyncedDatabases.number(databases.target(),
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = 'public'"), "the target got nothing");
        assertNoSlotOrPublicationOnTheSource(databases);
    }

    /** A sync that ended, done or failed, keeps nothing on the source that holds its WAL or publishes its tables. */
    private static void assertNoSlotOrPublicationOnTheSource(SyncedDatabases databases) throws Exception {
        assertEquals(0, SyncedDatabases.number(databases.source(), "SELECT count(*) FROM pg_publication"));
        assertEquals(0, SyncedDatabases.number(databases.source(),
                "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"));
    }

    /** Every sequence the source drew from is further on the target. */
    private static void assertSequencesAhead(SyncedDatabases databases, int sequenceCount) throws Exception {
        String sequences = "SELECT schemaname || '.' || sequencename, coalesce(last_value, 0) FROM pg_sequences "
                + "ORDER BY 1";
        Map<String, Long> source = values(databases.source(), sequences);
        Map<String, Long> target = values(databases.target(), sequences);
        assertEquals(source.keySet(), target.keySet());
        assertEquals(sequenceCount, source.size(), source::toString);
        source.forEach((name, value) -> assertTrue(target.get(name) > value,
                name + ": target " + target.get(name) + ", source " + value));
    }

    private static Map<String, Long> values(ConnectionTarget database, String sql) throws Exception {
        Map<String, Long> values = new java.util.TreeMap<>();
        try (Connection connection = database.openJdbc(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.put(rows.getString(1), rows.getLong(2));
            }
        }
        return values;
    }
}
