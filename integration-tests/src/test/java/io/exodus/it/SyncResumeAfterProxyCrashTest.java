package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.exodus.it.SyncedApplication.changesApplied;
import static io.exodus.it.SyncedApplication.copiedTables;
import static io.exodus.it.SyncedApplication.syncState;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestUsers;

/**
 * The initial sync survives the proxy (ADR 0031): a proxy killed with {@code kill -9} while it copies rows, with
 * writers going on through it, is started again; the next {@code POST /exodus/migration/sync} keeps the tables
 * copied before and copies the others again under a snapshot of its own. That proxy is killed too while it applies
 * the slot's changes; the third resumes from what the journal says was applied, without applying twice what a copy
 * or an earlier round holds, and ends in dual-write with the target identical to the source. Each transaction of the
 * writers opens an account and books on it, so the ledger's foreign key to accounts joins tables copied under
 * different snapshots: restored before the catch-up, it would fail.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SyncResumeAfterProxyCrashTest {
    private static final SyncedApplication APP = new SyncedApplication("it_sync_resume", "sync-resume-token");
    private static final String TOKEN = "sync-resume-token";
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(150);
    // One table at a time: the kill finds some tables copied and others not.
    private static final Map<String, String> ONE_TABLE_AT_A_TIME = Map.of("EXODUS_SYNC_PARALLEL_TABLES", "1");

    @BeforeAll
    static void sourceWithRowsAndAnEmptyTarget() {
        APP.create(200_000);
    }

    @AfterAll
    static void dropDatabases() {
        APP.drop();
    }

    @Test
    void syncKilledMidCopyResumesAndEndsIdenticalWithTheTargetsSequencesAhead() throws Exception {
        AtomicInteger proxyPort = new AtomicInteger(FreePorts.pick());
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong committed = new AtomicLong();
        Thread writer = new Thread(() -> APP.write(proxyPort, writing, committed), "sync-resume-writer");
        try {
            int http = FreePorts.pick();
            try (ProxyProcess first = APP.startProxy(proxyPort.get(), http, ONE_TABLE_AT_A_TIME)) {
                writer.start();
                assertEquals(202, Support.post(http, "/exodus/migration/sync", TOKEN, "{}").status(),
                        Support.withLog(first, "the sync did not start"));
                // Killed once one table is copied and the others are not: the copy is half done.
                Support.HttpAnswer midCopy = APP.status(http, Duration.ofSeconds(90),
                        answer -> copiedTables(answer) >= 1 && syncState(answer).equals("copying"));
                assertTrue(copiedTables(midCopy) >= 1 && copiedTables(midCopy) < SyncedApplication.TABLES.length,
                        Support.withLog(first, "never mid-copy: " + midCopy.body()));
                first.kill9();
            }
            long journaled = APP.onTarget("select count(*) from exodus.sync_copied");
            assertTrue(journaled >= 1 && journaled < SyncedApplication.TABLES.length,
                    "tables copied before the kill: " + journaled);
            assertEquals(1, APP.onSource("select count(*) from pg_replication_slots where slot_name = 'exodus_sync'"),
                    "the slot survives");
            long beforeRestart = committed.get();

            proxyPort.set(FreePorts.pick());
            http = FreePorts.pick();
            try (ProxyProcess second = APP.startProxy(proxyPort.get(), http, ONE_TABLE_AT_A_TIME);
                    Connection open = ConnectionTarget.local(proxyPort.get(), TestUsers.MD5_USER,
                            TestUsers.MD5_PASSWORD, APP.database()).openJdbc()) {
                // A transaction left open keeps the switch waiting (it cannot pause traffic): the second kill lands
                // after changes were applied and before any session turned to dual-write.
                open.setAutoCommit(false);
                open.createStatement().executeUpdate("insert into ledger (account, amount) values (1, 0)");
                assertEquals(202, Support.post(http, "/exodus/migration/sync", TOKEN, "{}").status(),
                        Support.withLog(second, "the sync did not resume"));
                Support.HttpAnswer applying = APP.status(http, SYNC_TIMEOUT,
                        answer -> changesApplied(answer) > 0 || syncState(answer).matches("done|failed"));
                assertTrue(syncState(applying).matches("catching-up|switching"),
                        Support.withLog(second, "never caught applying changes: " + applying.body()));
                second.kill9();
            }
            assertEquals(SyncedApplication.TABLES.length, APP.onTarget("select count(*) from exodus.sync_copied"),
                    "every table copied before the second kill");
            assertEquals(1, APP.onTarget("select count(*) from exodus.sync_run where applied_lsn is not null"),
                    "changes applied");

            proxyPort.set(FreePorts.pick());
            http = FreePorts.pick();
            try (ProxyProcess third = APP.startProxy(proxyPort.get(), http, ONE_TABLE_AT_A_TIME)) {
                assertEquals(202, Support.post(http, "/exodus/migration/sync", TOKEN, "{}").status(),
                        Support.withLog(third, "the sync did not resume"));
                Support.HttpAnswer done = APP.status(http, SYNC_TIMEOUT,
                        answer -> syncState(answer).equals("done") || syncState(answer).equals("failed"));
                assertEquals("done", syncState(done), Support.withLog(third, "the resumed sync: " + done.body()));
                assertTrue(done.body().contains("resumed the sync"), done.body());
                assertTrue(done.body().replace(" ", "").contains("\"phase\":\"dual-write\""), done.body());
                assertTrue(Support.await(Duration.ofSeconds(30), () -> committed.get() > beforeRestart + 50),
                        Support.withLog(third, "the writers go on in dual-write"));
                writing.set(false);
                writer.join(30_000);
            }
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        APP.assertIdenticalWithSequencesAhead();
        // ledger references accounts, and the two were copied under different snapshots: the foreign key is restored
        // once the catch-up made the target one moment of the source (ADR 0035), not before, where it would fail.
        assertEquals(1, APP.onTarget("select count(*) from pg_constraint where contype = 'f' "
                + "and conrelid = 'ledger'::regclass"), "the foreign key is on the target");
        assertEquals(0, APP.onTarget("select count(*) from exodus.sync_run"),
                "the journal is cleared once the sync is done");
    }
}
