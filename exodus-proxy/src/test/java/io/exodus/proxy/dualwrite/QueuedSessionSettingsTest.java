package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static io.exodus.proxy.dualwrite.DualWriteDatabases.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings a queued transaction's entry carries (docs/adr/0050), under best-effort in mode queued, where every
 * transaction goes to the queue from its first write: read once per session while nothing but the session can
 * change them, taken before the first write, and what changes them in the middle of a transaction.
 */
@QuarkusTest
@TestProfile(BestEffortQueuedProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class QueuedSessionSettingsTest {
    private static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    DivergenceLog divergences;

    /**
     * KnownSettings: a session reads its settings from pg_settings once, not for every queued transaction, while
     * nothing but what it sends can change them; a SET makes it read them again, and each transaction replays under
     * the time zone it ran under. The source logs this database's statements, which counts the reads.
     */
    @Test
    void aSessionReadsItsSettingsOnceUntilItChangesThem() throws Exception {
        String database = "dw_queued_settings_kept";
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create table stamped (id int primary key, zone text not null,"
                + " shown text not null)");
        try (Connection source = DualWriteDatabases.source(database).openJdbc()) {
            source.createStatement().execute("alter database " + database + " set log_statement = 'all'");
        }
        Path log = TestDatabases.source().logFile();
        long from = Files.size(log);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            for (String zone : List.of("Asia/Tokyo", "America/New_York")) {
                statement.execute("set timezone = '" + zone + "'");
                for (int i = 0; i < 15; i++) {
                    statement.executeUpdate("insert into stamped select coalesce(max(id), 0) + 1,"
                            + " current_setting('timezone'), '2026-01-01 00:00+00'::timestamptz::text from stamped");
                }
            }
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(database, "stamped");
        assertEquals(2, count(DualWriteDatabases.source(database), "select count(distinct shown) from stamped"));

        String logged;
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(from);
            logged = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        long full = logged.lines().filter(line -> line.contains("WHERE (source IN ('client', 'session')")).count();
        long isolationOnly = logged.lines().filter(line -> line.endsWith(
                "statement: SELECT pg_catalog.current_setting('transaction_isolation')")).count();
        // The first reads may come before the database's functions were read; each SET forgets what was read.
        assertTrue(full >= 2 && full <= 8, full + " reads of pg_settings for 30 queued transactions");
        assertEquals(30, isolationOnly, "each queued transaction asks for its isolation level as it commits");
    }

    /**
     * A trigger that sets a session's setting changes it where the session sent nothing: in a database with one, a
     * queued transaction reads its settings every time, and a later transaction's replay runs under what the trigger
     * set. Here a trigger on {@code marks} moves the session's search_path, so that a later INSERT into {@code flags}
     * names another table; the INSERT into marks names its schema, so that only the later transaction depends on what
     * the trigger set (the next test is about the transaction itself).
     */
    @Test
    void aSettingATriggerSetReachesTheReplayOfLaterTransactions() throws Exception {
        String database = "dw_queued_settings_trigger";
        withTriggeredTables(database, "if tg_table_name = 'marks' then"
                + " perform set_config('search_path', 'elsewhere, public', false); end if;",
                "public.flags", "elsewhere.flags", "public.marks");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.executeUpdate("insert into flags values (1)");
            // The database's functions are read when its first session starts: once they are, the settings read
            // for the next transaction are the ones a transaction after the trigger's would reuse, if it could.
            Thread.sleep(1_000);
            statement.executeUpdate("insert into flags values (2)");
            statement.executeUpdate("insert into public.marks values (1)");
            statement.executeUpdate("insert into flags values (3)");
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals(1, count(DualWriteDatabases.source(database), "select count(*) from elsewhere.flags"));
        DualWriteDatabases.assertIdentical(database, "public.flags", "elsewhere.flags", "public.marks");
    }

    /**
     * A function of the database that moves the session's search_path, called on its own: its transaction goes to the
     * queue from its start, so the session's settings are read before the call, and that read was kept for the next
     * transactions although the call changed them. The next INSERT's replay then went into public.flags on the
     * target, silently.
     */
    @Test
    void aSettingAFunctionChangesIsNotTakenFromAReadBeforeTheCall() throws Exception {
        String database = "dw_queued_settings_function";
        withFlagsInTwoSchemas(database);
        DualWriteDatabases.onBoth(database, "create function public.move_path() returns void language sql as "
                + "$$ select set_config('search_path', 'elsewhere, public', false) $$");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            // An UPDATE replays as its text, where an unqualified name is looked up under the entry's settings.
            statement.executeUpdate("update flags set v = 'first' where id = 1");
            // The database's functions are read when its first session starts; after that, reads may be kept.
            Thread.sleep(1_000);
            statement.executeUpdate("update flags set v = 'second' where id = 1");
            statement.execute("select public.move_path()");
            statement.executeUpdate("update flags set v = 'moved' where id = 1");
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals("moved", Psql.against(DualWriteDatabases.source(database))
                .query("select v from elsewhere.flags where id = 1"));
        DualWriteDatabases.assertIdentical(database, "public.flags", "elsewhere.flags");
    }

    /**
     * A session whose start-up packet gives it its search_path RESETs it inside a transaction, before the first write.
     * Replayed, the RESET went back to the applier's own start-up value, past the entry's context, and the UPDATE after
     * it changed public.flags on the target where the source changed elsewhere.flags: silent. The transaction is kept
     * out of the queue instead, loudly; a RESET of a timeout, which changes no value, is not.
     */
    @Test
    void aResetOfASettingTheSessionStartedWithIsReportedRatherThanReplayedElsewhere() throws Exception {
        String database = "dw_queued_settings_reset";
        withFlagsInTwoSchemas(database);
        double before = divergences.count(Divergence.Kind.NOT_MIRRORED);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "options", "-c search_path=elsewhere,public"); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("set local statement_timeout = '5s'");
            statement.execute("reset statement_timeout");
            statement.executeUpdate("update flags set v = 'timeout reset' where id = 2");
            client.commit();
            statement.execute("set local search_path = public");
            statement.execute("reset search_path");
            statement.executeUpdate("update flags set v = 'reset' where id = 1");
            client.commit();
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals("reset", Psql.against(DualWriteDatabases.source(database))
                .query("select v from elsewhere.flags where id = 1"));
        assertEquals(before + 1, divergences.count(Divergence.Kind.NOT_MIRRORED), divergences.recent().toString());
        assertEquals("before", Psql.against(DualWriteDatabases.target(database))
                .query("select v from public.flags where id = 1"), "never replayed into another schema's table");
        assertEquals("timeout reset", Psql.against(DualWriteDatabases.target(database))
                .query("select v from elsewhere.flags where id = 2"));
    }

    /**
     * A trigger that moves the session's search_path in the transaction that fires it: the next statement of that
     * transaction names another table. Its replay runs under the settings from before its first write, and the
     * trigger, run again on the target, moves the path there at the same point; under the settings of its COMMIT,
     * both INSERTs would land in the second table.
     */
    @Test
    void aSettingATriggerChangesMidTransactionReplaysAsTheSourceRanIt() throws Exception {
        String database = "dw_queued_settings_midway";
        withTriggeredTables(database, "if new.id = 100 then"
                + " perform set_config('search_path', 'elsewhere, public', false); end if;",
                "public.flags", "elsewhere.flags");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            statement.executeUpdate("insert into flags values (1)");
            client.setAutoCommit(false);
            statement.executeUpdate("insert into flags values (100)");
            statement.executeUpdate("insert into flags values (2)");
            client.commit();
            client.setAutoCommit(true);
            statement.executeUpdate("insert into flags values (3)");
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals(2, count(DualWriteDatabases.source(database), "select count(*) from elsewhere.flags"));
        DualWriteDatabases.assertIdentical(database, "public.flags", "elsewhere.flags");
    }

    /**
     * A plain SET in the middle of a queued transaction replays where it ran (its settings were taken before its first
     * write), over either protocol; a RESET there, which goes back to each connection's own start-up values, keeps
     * the transaction out of the queue as before: a not_mirrored divergence, loud.
     */
    @Test
    void aSetInTheMiddleOfAQueuedTransactionReplaysWhereItRanAndAResetIsReported() throws Exception {
        String database = "dw_queued_set_midway";
        withTriggeredTables(database, "", "public.flags", "elsewhere.flags");
        double before = divergences.count(Divergence.Kind.NOT_MIRRORED);
        int id = 0;
        for (String mode : List.of("extended", "simple")) {
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                    "preferQueryMode", mode); Statement statement = client.createStatement()) {
                client.setAutoCommit(false);
                statement.executeUpdate("insert into flags values (" + ++id + ")");
                statement.execute("set local search_path = elsewhere, public");
                statement.executeUpdate("insert into flags values (" + ++id + ")");
                client.commit();
            }
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals(before, divergences.count(Divergence.Kind.NOT_MIRRORED), "nothing kept out of the queue: "
                + divergences.recent());
        assertEquals(2, count(DualWriteDatabases.source(database), "select count(*) from elsewhere.flags"));
        DualWriteDatabases.assertIdentical(database, "public.flags", "elsewhere.flags");

        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database));
                Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("set local search_path = elsewhere, public");
            statement.executeUpdate("insert into flags values (100)");
            statement.execute("reset search_path");
            statement.executeUpdate("insert into flags values (101)");
            client.commit();
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals(before + 1, divergences.count(Divergence.Kind.NOT_MIRRORED), divergences.recent().toString());
        assertEquals(0, count(DualWriteDatabases.target(database), "select count(*) from public.flags where id = 101"),
                "the transaction with the RESET is not replayed");
    }

    /**
     * Database {@code database} on both servers with tables public.flags and elsewhere.flags, each with rows 1 and 2
     * ('before') and no trigger: an UPDATE replays as its text, its unqualified name looked up under the entry's
     * settings.
     */
    private static void withFlagsInTwoSchemas(String database) throws Exception {
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create schema elsewhere");
        for (String table : List.of("public.flags", "elsewhere.flags")) {
            DualWriteDatabases.onBoth(database, "create table " + table + " (id int primary key, v text)");
            DualWriteDatabases.onBoth(database, "insert into " + table + " values (1, 'before'), (2, 'before')");
        }
    }

    /**
     * Database {@code database} on both servers with schema {@code elsewhere}, a trigger function {@code
     * public.on_insert()} of {@code body} (PL/pgSQL), and each of {@code tables} with it as a BEFORE INSERT trigger:
     * INSERTs into a table with a trigger replay as their text, under the search_path of the moment, not as the
     * source's rows.
     */
    private static void withTriggeredTables(String database, String body, String... tables) throws Exception {
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create schema elsewhere");
        DualWriteDatabases.onBoth(database, "create function public.on_insert() returns trigger language plpgsql as"
                + " $$ begin " + body + " return new; end $$");
        for (String table : tables) {
            DualWriteDatabases.onBoth(database, "create table " + table + " (id int primary key)");
            DualWriteDatabases.onBoth(database, "create trigger on_insert before insert on " + table
                    + " for each row execute function public.on_insert()");
        }
    }
}
