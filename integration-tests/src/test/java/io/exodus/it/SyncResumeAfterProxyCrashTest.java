package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/**
 * The initial sync survives the proxy (ADR 0031): a proxy killed with {@code kill -9} while it copies rows, with
 * writers going on through it, is started again; the next {@code POST /exodus/migration/sync} keeps the tables
 * copied before and copies the others again under a snapshot of its own. That proxy is killed too while it applies
 * the slot's changes; the third resumes from what the journal says was applied, without applying twice what a copy
 * or an earlier round holds, and ends in dual-write with the target identical to the source.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SyncResumeAfterProxyCrashTest {
    private static final String DATABASE = "it_sync_resume";
    private static final String TOKEN = "sync-resume-token";
    private static final String[] TABLES = {"accounts", "events", "pairs", "ledger"};
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(150);

    @BeforeAll
    static void sourceWithRowsAndAnEmptyTarget() {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            dropSlotAndDatabase(server);
            Support.executeDirect(server, "create database " + DATABASE);
        }
        Support.executeDirect(inDatabase(TestDatabases.source()), """
                create table accounts (id bigserial primary key, balance int not null, note text);
                create table events (id bigint generated always as identity primary key, kind text, payload text);
                create table pairs (a int, b int, n int not null, primary key (a, b));
                create table ledger (id bigserial primary key, account bigint not null, amount int not null);
                insert into accounts (balance, note) select i, repeat('a', 60) from generate_series(1, 200000) i;
                insert into events (kind, payload) select 'k' || i % 7, repeat('e', 60) from generate_series(1, 200000) i;
                insert into pairs select i / 100, i % 100, 0 from generate_series(1, 150000) i;
                insert into ledger (account, amount) select i % 1000 + 1, i from generate_series(1, 200000) i;
                grant all on all tables in schema public to CLIENT_ROLE;
                grant all on all sequences in schema public to CLIENT_ROLE;
                analyze""".replace("CLIENT_ROLE", TestUsers.MD5_USER));
    }

    @AfterAll
    static void dropDatabases() {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            dropSlotAndDatabase(server);
        }
    }

    @Test
    void syncKilledMidCopyResumesAndEndsIdenticalWithTheTargetsSequencesAhead() throws Exception {
        AtomicInteger proxyPort = new AtomicInteger(FreePorts.pick());
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong committed = new AtomicLong();
        Thread writer = new Thread(() -> write(proxyPort, writing, committed), "sync-resume-writer");
        try {
            int http = FreePorts.pick();
            try (ProxyProcess first = startProxy(proxyPort.get(), http)) {
                writer.start();
                assertEquals(202, Support.post(http, "/exodus/migration/sync", TOKEN, "{}").status(),
                        Support.withLog(first, "the sync did not start"));
                // Killed once one table is copied and the others are not: the copy is half done.
                Support.HttpAnswer midCopy = status(http, Duration.ofSeconds(90),
                        answer -> copiedTables(answer) >= 1 && syncState(answer).equals("copying"));
                assertTrue(copiedTables(midCopy) >= 1 && copiedTables(midCopy) < TABLES.length,
                        Support.withLog(first, "never mid-copy: " + midCopy.body()));
                first.kill9();
            }
            long journaled = Support.queryLong(inDatabase(TestDatabases.target()),
                    "select count(*) from exodus.sync_copied");
            assertTrue(journaled >= 1 && journaled < TABLES.length, "tables copied before the kill: " + journaled);
            assertEquals(1, Support.queryLong(inDatabase(TestDatabases.source()),
                    "select count(*) from pg_replication_slots where slot_name = 'exodus_sync'"), "the slot survives");
            long beforeRestart = committed.get();

            proxyPort.set(FreePorts.pick());
            http = FreePorts.pick();
            try (ProxyProcess second = startProxy(proxyPort.get(), http);
                    Connection open = ConnectionTarget.local(proxyPort.get(), TestUsers.MD5_USER,
                            TestUsers.MD5_PASSWORD, DATABASE).openJdbc()) {
                // A transaction left open keeps the switch waiting (it cannot pause traffic): the second kill lands
                // after changes were applied and before any session turned to dual-write.
                open.setAutoCommit(false);
                open.createStatement().executeUpdate("insert into ledger (account, amount) values (0, 0)");
                assertEquals(202, Support.post(http, "/exodus/migration/sync", TOKEN, "{}").status(),
                        Support.withLog(second, "the sync did not resume"));
                Support.HttpAnswer applying = status(http, SYNC_TIMEOUT,
                        answer -> changesApplied(answer) > 0 || syncState(answer).matches("done|failed"));
                assertTrue(syncState(applying).matches("catching-up|switching"),
                        Support.withLog(second, "never caught applying changes: " + applying.body()));
                second.kill9();
            }
            assertEquals(TABLES.length, Support.queryLong(inDatabase(TestDatabases.target()),
                    "select count(*) from exodus.sync_copied"), "every table copied before the second kill");
            assertEquals(1, Support.queryLong(inDatabase(TestDatabases.target()),
                    "select count(*) from exodus.sync_run where applied_lsn is not null"), "changes applied");

            proxyPort.set(FreePorts.pick());
            http = FreePorts.pick();
            try (ProxyProcess third = startProxy(proxyPort.get(), http)) {
                assertEquals(202, Support.post(http, "/exodus/migration/sync", TOKEN, "{}").status(),
                        Support.withLog(third, "the sync did not resume"));
                Support.HttpAnswer done = status(http, SYNC_TIMEOUT,
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
        TableComparison.assertIdentical(inDatabase(TestDatabases.source()), inDatabase(TestDatabases.target()),
                TABLES);
        for (String sequence : List.of("accounts_id_seq", "events_id_seq", "ledger_id_seq")) {
            String value = "select coalesce(last_value, 0) from pg_sequences where sequencename = '" + sequence + "'";
            long source = Support.queryLong(inDatabase(TestDatabases.source()), value);
            long target = Support.queryLong(inDatabase(TestDatabases.target()), value);
            assertTrue(target > source, sequence + ": target " + target + ", source " + source);
        }
        assertEquals(0, Support.queryLong(inDatabase(TestDatabases.target()), "select count(*) from exodus.sync_run"),
                "the journal is cleared once the sync is done");
    }

    /**
     * Inserts, updates and deletes of every table through the proxy, one transaction at a time, until told to stop;
     * a proxy that is down is waited for.
     */
    private static void write(AtomicInteger proxyPort, AtomicBoolean writing, AtomicLong committed) {
        while (writing.get()) {
            try (Connection client = ConnectionTarget.local(proxyPort.get(), TestUsers.MD5_USER,
                    TestUsers.MD5_PASSWORD, DATABASE).openJdbc()) {
                client.setAutoCommit(false);
                try (PreparedStatement account = client.prepareStatement(
                        "insert into accounts (balance, note) values (?, 'new')");
                        PreparedStatement pay = client.prepareStatement(
                                "update accounts set balance = balance - ? where id = ?");
                        PreparedStatement event = client.prepareStatement(
                                "insert into events (kind, payload) values ('w', ?)");
                        PreparedStatement pair = client.prepareStatement(
                                "insert into pairs values (?, ?, 1) on conflict (a, b) do update set n = pairs.n + 1");
                        PreparedStatement ledger = client.prepareStatement(
                                "insert into ledger (account, amount) values (?, ?)");
                        PreparedStatement forget = client.prepareStatement("delete from ledger where id = ?")) {
                    while (writing.get()) {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        account.setInt(1, random.nextInt(1000));
                        account.executeUpdate();
                        pay.setInt(1, random.nextInt(100));
                        pay.setLong(2, random.nextLong(1, 200_000));
                        pay.executeUpdate();
                        event.setString(1, "payload " + random.nextInt());
                        event.executeUpdate();
                        pair.setInt(1, random.nextInt(2000));
                        pair.setInt(2, random.nextInt(100));
                        pair.executeUpdate();
                        ledger.setLong(1, random.nextLong(1, 1000));
                        ledger.setInt(2, random.nextInt(1000));
                        ledger.executeUpdate();
                        forget.setLong(1, random.nextLong(1, 200_000));
                        forget.executeUpdate();
                        client.commit();
                        committed.incrementAndGet();
                    }
                }
            } catch (SQLException proxyGoneOrNotYetUp) {
                Support.sleep(100);
            }
        }
    }

    private static ProxyProcess startProxy(int listenPort, int httpPort) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "EXODUS_SOURCE_URL", url(TestDatabases.source()),
                "EXODUS_TARGET_URL", url(TestDatabases.target()),
                "EXODUS_AUTH_METHOD", "md5",
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", "direct",
                "EXODUS_MIGRATION_POLICY", "both-required",
                "EXODUS_ADMIN_TOKEN", TOKEN,
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort),
                // One table at a time: the kill finds some tables copied and others not.
                "EXODUS_SYNC_PARALLEL_TABLES", "1"));
        ProxyProcess proxy = Support.startProxyOnTestDatabases(listenPort, environment);
        // The wire listener may be up before the HTTP server.
        status(httpPort, Duration.ofSeconds(30), answer -> answer.status() == 200);
        return proxy;
    }

    private static String url(LocalPostgres server) {
        return server.url(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, DATABASE) + "?sslmode=disable";
    }

    /** Polls the migration status until it is what the test waits for; the last answer seen. */
    private static Support.HttpAnswer status(int http, Duration timeout, Predicate<Support.HttpAnswer> wanted) {
        Support.HttpAnswer[] last = new Support.HttpAnswer[1];
        Support.await(timeout, () -> wanted.test(last[0] = Support.get(http, "/exodus/migration", TOKEN)));
        return last[0];
    }

    /** The sync's state in the status, without a JSON library: the first "state" after "sync". */
    private static String syncState(Support.HttpAnswer answer) {
        String body = answer.body().replace(" ", "");
        int sync = body.indexOf("\"sync\":{\"state\":\"");
        if (sync < 0) {
            return "";
        }
        int from = sync + "\"sync\":{\"state\":\"".length();
        return body.substring(from, body.indexOf('"', from));
    }

    private static long changesApplied(Support.HttpAnswer answer) {
        Matcher applied = Pattern.compile("\"changesApplied\":(\\d+)").matcher(answer.body().replace(" ", ""));
        return applied.find() ? Long.parseLong(applied.group(1)) : 0;
    }

    private static int copiedTables(Support.HttpAnswer answer) {
        String body = answer.body().replace(" ", "");
        int count = 0;
        for (int at = body.indexOf("\"state\":\"copied\""); at >= 0; at = body.indexOf("\"state\":\"copied\"", at + 1)) {
            count++;
        }
        return count;
    }

    private static void dropSlotAndDatabase(LocalPostgres server) {
        Support.executeDirect(server, "select pg_drop_replication_slot(slot_name) from pg_replication_slots "
                + "where database = '" + DATABASE + "'");
        Support.executeDirect(server, "drop database if exists " + DATABASE + " with (force)");
    }

    private static ConnectionTarget inDatabase(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(DATABASE);
    }
}
