package io.exodus.it;

import static io.exodus.it.SyncedApplication.phase;
import static io.exodus.it.SyncedApplication.syncState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;

/**
 * The proxy killed with {@code kill -9} twice in the initial sync's switch to dual-write, writers going on through it
 * (ADR 0035). First after the switch was journaled and before the phase changed (the sessions held): the proxy started
 * again runs in direct, and the next {@code POST /exodus/migration/sync} resumes the sync from the slot. That proxy is
 * killed after its sessions turned to dual-write and before the slot was dropped: the third runs in dual-write, as the
 * fleet's phase record says (the target had every change committed before the switch), and the next POST ends the
 * sync without applying the slot's changes again. The target ends identical to the source.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SyncSwitchCrashTest {
    private static final String TOKEN = "sync-switch-token";
    private static final SyncedApplication APP = new SyncedApplication("it_sync_switch", TOKEN);
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(90);
    private static final String SLOTS = "select count(*) from pg_replication_slots where slot_name = 'exodus_sync'";
    private static final String SWITCH_JOURNALED = "select count(*) from exodus.sync_run where switch_lsn is not null";

    @BeforeAll
    static void sourceWithRowsAndAnEmptyTarget() {
        APP.create(20_000);
    }

    @AfterAll
    static void dropDatabases() {
        APP.drop();
    }

    @Test
    void killedBeforeThenAfterThePhaseChangeResumesThenEndsTheSyncWithoutApplyingAgain() throws Exception {
        Path hold = Files.createTempFile("exodus-sync-hold", "");
        // The fleet's phase is durable in the source's control state: what tells a restarted proxy what happened.
        Map<String, String> heldInTheSwitch = Map.of("EXODUS_CONTROL_ENABLED", "true",
                "EXODUS_SYNC_TEST_HOLD_FILE", hold.toString());
        AtomicInteger proxyPort = new AtomicInteger(FreePorts.pick());
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong committed = new AtomicLong();
        Thread writer = new Thread(() -> APP.write(proxyPort, writing, committed), "sync-switch-writer");
        Thread[] writerAfterTheKills = new Thread[1];
        try {
            Files.writeString(hold, "before-dual-write");
            int http = FreePorts.pick();
            try (ProxyProcess first = APP.startProxy(proxyPort.get(), http, heldInTheSwitch)) {
                writer.start();
                assertEquals(202, Support.post(http, "/exodus/migration/sync", TOKEN, "{}").status(),
                        Support.withLog(first, "the sync did not start"));
                assertTrue(Support.await(SYNC_TIMEOUT, () -> APP.onTarget("select count(*) from pg_catalog.pg_tables "
                        + "where schemaname = 'exodus' and tablename = 'sync_run'") == 1
                        && APP.onTarget(SWITCH_JOURNALED) == 1), Support.withLog(first, "the switch never journaled"));
                Support.HttpAnswer held = Support.get(http, "/exodus/migration", TOKEN);
                assertEquals("switching", syncState(held), held.body());
                assertEquals("direct", phase(held), held.body());
                first.kill9();
            }
            assertEquals(1, APP.onSource("select count(*) from exodus.control_state where phase = 'direct'"),
                    "the fleet's phase is still direct");

            // Held again, once its sessions turned to dual-write.
            Files.writeString(hold, "after-dual-write");
            proxyPort.set(FreePorts.pick());
            http = FreePorts.pick();
            try (ProxyProcess second = APP.startProxy(proxyPort.get(), http, heldInTheSwitch)) {
                long restarted = committed.get();
                assertTrue(Support.await(Duration.ofSeconds(30), () -> committed.get() > restarted + 100),
                        Support.withLog(second, "the writers go on in direct through the proxy started again"));
                assertEquals(202, postSync(http).status(), Support.withLog(second, "the sync did not resume"));
                Support.HttpAnswer held = APP.status(http, SYNC_TIMEOUT,
                        answer -> phase(answer).equals("dual-write") || syncState(answer).matches("done|failed"));
                assertEquals("switching", syncState(held), Support.withLog(second, "not held: " + held.body()));
                assertTrue(held.body().contains("before the phase changed"), held.body());
                long switched = committed.get();
                assertTrue(Support.await(Duration.ofSeconds(30), () -> committed.get() > switched + 100),
                        Support.withLog(second, "the writers go on in dual-write"));
                // Under both-required a kill between the target's COMMIT and the source's leaves the target a
                // transaction the source lacks, which the comparison at the end found once in the clean-clone CI. It
                // is reported and repairable since (KillBetweenCommitsTest), but this test compares without repair.
                writing.set(false);
                writer.join(30_000);
                second.kill9();
            }
            assertEquals(1, APP.onSource(SLOTS), "the slot survives");
            assertEquals(1, APP.onTarget(SWITCH_JOURNALED), "the switch is journaled");
            assertEquals(1, APP.onSource("select count(*) from exodus.control_state where phase = 'dual-write'"),
                    "the fleet's phase is dual-write");
            Files.delete(hold);

            proxyPort.set(FreePorts.pick());
            http = FreePorts.pick();
            try (ProxyProcess third = APP.startProxy(proxyPort.get(), http, Map.of("EXODUS_CONTROL_ENABLED", "true"))) {
                writing.set(true);
                writerAfterTheKills[0] = new Thread(() -> APP.write(proxyPort, writing, committed),
                        "sync-switch-writer-after");
                writerAfterTheKills[0].start();
                long restarted = committed.get();
                assertEquals("dual-write", phase(APP.status(http, Duration.ofSeconds(30),
                        answer -> phase(answer).equals("dual-write"))), Support.withLog(third, "not dual-write"));
                assertTrue(Support.await(Duration.ofSeconds(30), () -> committed.get() > restarted + 100),
                        Support.withLog(third, "the writers go on in dual-write through the proxy started again"));
                assertEquals(202, postSync(http).status(), Support.withLog(third, "the sync was not ended"));
                Support.HttpAnswer done = APP.status(http, SYNC_TIMEOUT,
                        answer -> syncState(answer).matches("done|failed"));
                assertEquals("done", syncState(done), Support.withLog(third, "the ended sync: " + done.body()));
                assertTrue(done.body().contains("nothing of the slot is applied again"), done.body());
                assertEquals(0, APP.onSource(SLOTS), "the slot is dropped");
                assertEquals(0, APP.onTarget("select count(*) from exodus.sync_run"), "the journal is cleared");
                long ended = committed.get();
                assertTrue(Support.await(Duration.ofSeconds(30), () -> committed.get() > ended + 50),
                        Support.withLog(third, "the writers go on after the sync ended"));
                writing.set(false);
                writerAfterTheKills[0].join(30_000);
            }
        } finally {
            writing.set(false);
            writer.join(30_000);
            if (writerAfterTheKills[0] != null) {
                writerAfterTheKills[0].join(30_000);
            }
            Files.deleteIfExists(hold);
        }
        APP.assertIdenticalWithSequencesAhead();
    }

    /** The killed replica counts as live for three heartbeats: a POST in that time is refused, and sent again. */
    private static Support.HttpAnswer postSync(int http) {
        Support.HttpAnswer[] answer = new Support.HttpAnswer[1];
        Support.await(Duration.ofSeconds(15), () -> {
            answer[0] = Support.post(http, "/exodus/migration/sync", TOKEN, "{}");
            return !(answer[0].status() == 409 && answer[0].body().contains("other replicas"));
        });
        return answer[0];
    }
}
