package io.exodus.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

/**
 * An application whose database the initial sync copies while it writes, for the tests that kill the packaged proxy
 * in the middle of a sync: four tables (a bigserial, an identity column, a composite key, a ledger with deletes whose
 * rows reference accounts by a foreign key, each new one a new account's) on the source in a database of its own, an empty target, a writer through the proxy that outlives the proxy's restarts,
 * and reading the sync's status.
 */
final class SyncedApplication {
    static final String[] TABLES = {"accounts", "events", "pairs", "ledger"};
    private static final String[] SEQUENCES = {"accounts_id_seq", "events_id_seq", "ledger_id_seq"};

    private final String database;
    private final String token;

    SyncedApplication(String database, String token) {
        this.database = database;
        this.token = token;
    }

    String database() {
        return database;
    }

    /** The source with {@code rows} rows in each table (pairs: three quarters of it), the target empty. */
    void create(int rows) {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            dropSlotAndDatabase(server);
            Support.executeDirect(server, "create database " + database);
        }
        Support.executeDirect(inDatabase(TestDatabases.source()), """
                create table accounts (id bigserial primary key, balance int not null, note text);
                create table events (id bigint generated always as identity primary key, kind text, payload text);
                create table pairs (a int, b int, n int not null, primary key (a, b));
                create table ledger (id bigserial primary key, account bigint not null references accounts,
                    amount int not null);
                insert into accounts (balance, note) select i, repeat('a', 60) from generate_series(1, ROWS) i;
                insert into events (kind, payload) select 'k' || i % 7, repeat('e', 40) from generate_series(1, ROWS) i;
                insert into pairs select i / 100, i % 100, 0 from generate_series(1, ROWS * 3 / 4) i;
                insert into ledger (account, amount) select i % 1000 + 1, i from generate_series(1, ROWS) i;
                grant all on all tables in schema public to CLIENT_ROLE;
                grant all on all sequences in schema public to CLIENT_ROLE;
                analyze""".replace("CLIENT_ROLE", TestUsers.MD5_USER).replace("ROWS", String.valueOf(rows)));
    }

    void drop() {
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            dropSlotAndDatabase(server);
        }
    }

    /** The packaged proxy in front of both databases in phase direct, its admin API up; {@code extra} on top. */
    ProxyProcess startProxy(int listenPort, int httpPort, Map<String, String> extra) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "EXODUS_SOURCE_URL", url(TestDatabases.source()),
                "EXODUS_TARGET_URL", url(TestDatabases.target()),
                "EXODUS_AUTH_METHOD", "md5",
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", "direct",
                "EXODUS_MIGRATION_POLICY", "both-required",
                "EXODUS_ADMIN_TOKEN", token,
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort)));
        environment.putAll(extra);
        ProxyProcess proxy = Support.startProxyOnTestDatabases(listenPort, environment);
        // The wire listener may be up before the HTTP server.
        status(httpPort, Duration.ofSeconds(30), answer -> answer.status() == 200);
        return proxy;
    }

    /**
     * Inserts, updates and deletes of every table through the proxy on {@code proxyPort}, one transaction at a time,
     * until told to stop; a proxy that is down is waited for.
     */
    void write(AtomicInteger proxyPort, AtomicBoolean writing, AtomicLong committed) {
        while (writing.get()) {
            try (Connection client = ConnectionTarget.local(proxyPort.get(), TestUsers.MD5_USER,
                    TestUsers.MD5_PASSWORD, database).openJdbc()) {
                client.setAutoCommit(false);
                try (PreparedStatement account = client.prepareStatement(
                        "insert into accounts (balance, note) values (?, 'new') returning id");
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
                        long opened;
                        try (ResultSet id = account.executeQuery()) {
                            id.next();
                            opened = id.getLong(1);
                        }
                        pay.setInt(1, random.nextInt(100));
                        pay.setLong(2, random.nextLong(1, 200_000));
                        pay.executeUpdate();
                        event.setString(1, "payload " + random.nextInt());
                        event.executeUpdate();
                        pair.setInt(1, random.nextInt(2000));
                        pair.setInt(2, random.nextInt(100));
                        pair.executeUpdate();
                        // The account this transaction opened: a child whose parent is as new as itself.
                        ledger.setLong(1, opened);
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

    /** Source and target identical row by row, and every sequence of the target ahead of the source's. */
    void assertIdenticalWithSequencesAhead() throws java.sql.SQLException {
        TableComparison.assertIdentical(inDatabase(TestDatabases.source()), inDatabase(TestDatabases.target()),
                TABLES);
        for (String sequence : SEQUENCES) {
            String value = "select coalesce(last_value, 0) from pg_sequences where sequencename = '" + sequence + "'";
            long source = Support.queryLong(inDatabase(TestDatabases.source()), value);
            long target = Support.queryLong(inDatabase(TestDatabases.target()), value);
            if (target <= source) {
                throw new AssertionError(sequence + ": target " + target + ", source " + source);
            }
        }
    }

    /** Polls the migration status until it is what the test waits for; the last answer seen. */
    Support.HttpAnswer status(int http, Duration timeout, Predicate<Support.HttpAnswer> wanted) {
        Support.HttpAnswer[] last = new Support.HttpAnswer[1];
        Support.await(timeout, () -> wanted.test(last[0] = Support.get(http, "/exodus/migration", token)));
        return last[0];
    }

    /** The sync's state in the status, without a JSON library: the first "state" after "sync". */
    static String syncState(Support.HttpAnswer answer) {
        String body = answer.body().replace(" ", "");
        int sync = body.indexOf("\"sync\":{\"state\":\"");
        if (sync < 0) {
            return "";
        }
        int from = sync + "\"sync\":{\"state\":\"".length();
        return body.substring(from, body.indexOf('"', from));
    }

    /** The migration's phase in the status. */
    static String phase(Support.HttpAnswer answer) {
        Matcher phase = Pattern.compile("\"phase\":\"([a-z-]+)\"").matcher(answer.body().replace(" ", ""));
        return phase.find() ? phase.group(1) : "";
    }

    static long changesApplied(Support.HttpAnswer answer) {
        Matcher applied = Pattern.compile("\"changesApplied\":(\\d+)").matcher(answer.body().replace(" ", ""));
        return applied.find() ? Long.parseLong(applied.group(1)) : 0;
    }

    static int copiedTables(Support.HttpAnswer answer) {
        String body = answer.body().replace(" ", "");
        int count = 0;
        for (int at = body.indexOf("\"state\":\"copied\""); at >= 0; at = body.indexOf("\"state\":\"copied\"", at + 1)) {
            count++;
        }
        return count;
    }

    long onSource(String sql) {
        return Support.queryLong(inDatabase(TestDatabases.source()), sql);
    }

    long onTarget(String sql) {
        return Support.queryLong(inDatabase(TestDatabases.target()), sql);
    }

    private String url(LocalPostgres server) {
        return server.url(TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, database) + "?sslmode=disable";
    }

    private void dropSlotAndDatabase(LocalPostgres server) {
        Support.executeDirect(server, "select pg_drop_replication_slot(slot_name) from pg_replication_slots "
                + "where database = '" + database + "'");
        Support.executeDirect(server, "drop database if exists " + database + " with (force)");
    }

    ConnectionTarget inDatabase(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(database);
    }
}
