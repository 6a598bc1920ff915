package io.exodus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
 * A proxy killed with {@code kill -9} between the target's COMMIT and the source's, under both-required: the target
 * keeps a transaction the source rolls back, and no client was told it committed. The next proxy, with no client
 * writing, finds it by the commit marker the target's COMMIT carried, reports it and marks its table divergent; the
 * operator's verification and repair then make both sides identical again.
 *
 * <p>To stop the proxy exactly there, a deferred trigger on the source alone sleeps in the source's COMMIT (which
 * the proxy sends once the target's has answered), and the source database checks for a lost client during it
 * ({@code client_connection_check_interval}), so that the proxy's death rolls the source's transaction back, as it
 * does when the proxy dies before sending that COMMIT.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KillBetweenCommitsTest {
    private static final String TOKEN = "kill-between-commits";
    private static final Duration FOUND_WITHIN = Duration.ofSeconds(30);

    private static String database;

    @BeforeAll
    static void createDatabaseOnBothServers() {
        database = Support.createDurableOnBoth("it_kill_commits_");
        for (LocalPostgres server : List.of(TestDatabases.source(), TestDatabases.target())) {
            Support.executeDirect(Support.superuserIn(server, database),
                    "create table items (id int primary key, note text); grant all on items to " + TestUsers.MD5_USER);
        }
        Support.executeDirect(TestDatabases.source(),
                "alter database " + database + " set client_connection_check_interval = '100ms'");
        Support.executeDirect(Support.superuserIn(TestDatabases.source(), database), """
                create function sleep_at_commit() returns trigger language plpgsql as $$
                begin
                    if new.note = 'slow' then
                        perform pg_sleep(60);
                    end if;
                    return null;
                end $$;
                create constraint trigger sleep_at_commit after insert on items deferrable initially deferred
                    for each row execute function sleep_at_commit()""");
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        Support.dropOnBoth(database);
    }

    @Test
    void theTransactionTheTargetAloneKeptIsReportedByTheNextProxyAndRepaired() throws Exception {
        int firstPort = FreePorts.pick();
        try (ProxyProcess first = startProxy(firstPort, FreePorts.pick(), "it_kill_commits_a")) {
            try (Connection client = Support.md5Client(firstPort, database).openJdbc()) {
                client.setAutoCommit(false);
                insertAndCommit(client, 1, "kept");
                CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
                    try {
                        insertAndCommit(client, 2, "slow");
                    } catch (SQLException expected) {
                        // The proxy dies under this COMMIT: the client never hears that it committed.
                    }
                });
                assertTrue(Support.await(FOUND_WITHIN, () -> sleepingCommits() == 1),
                        Support.withLog(first, "the source's COMMIT never reached the deferred trigger"));
                first.kill9();
                commit.get(30, TimeUnit.SECONDS);
            }
        }
        assertTrue(Support.await(FOUND_WITHIN, () -> sleepingCommits() == 0), "the source kept the dead proxy's COMMIT");
        ConnectionTarget source = Support.superuserIn(TestDatabases.source(), database);
        ConnectionTarget target = Support.superuserIn(TestDatabases.target(), database);
        assertEquals(1, Support.queryLong(source, "select count(*) from items"), "the source rolled back");
        assertEquals(2, Support.queryLong(target, "select count(*) from items"), "the target had committed");

        int http = FreePorts.pick();
        try (ProxyProcess second = startProxy(FreePorts.pick(), http, "it_kill_commits_b")) {
            assertTrue(Support.await(FOUND_WITHIN, () -> Support.queryLong(source,
                    "select count(*) from exodus.divergent_tables where table_name = 'items'"
                            + " and reason like 'a transaction committed on the target only%'") == 1),
                    Support.withLog(second, "the next proxy did not find the transaction on the target only"));
            // The mark is written before the line reaches the log file: wait for the line as for the mark.
            assertTrue(Support.await(FOUND_WITHIN, () -> second.logText().contains("committed on the target only")),
                    Support.withLog(second, "the log says what happened"));
            assertEquals(0, Support.queryLong(target,
                    "select count(*) from exodus.commit_markers where primary_xid is not null"));

            Support.HttpAnswer verified = Support.post(http, "/exodus/migration/verify", TOKEN,
                    "{\"database\": \"" + database + "\", \"tables\": [\"items\"]}");
            assertEquals(202, verified.status(), verified.body());
            Support.HttpAnswer[] report = new Support.HttpAnswer[1];
            assertTrue(Support.await(FOUND_WITHIN, () -> (report[0] = Support.get(http,
                    "/exodus/migration/verification", TOKEN)).body().replace(" ", "").contains("\"state\":\"done\"")),
                    () -> "verification did not finish: " + report[0]);
            assertTrue(report[0].body().replace(" ", "").contains("\"extra\":1"), report[0].body());
            Support.HttpAnswer repaired = Support.post(http, "/exodus/migration/repair", TOKEN,
                    "{\"tables\": [\"items\"]}");
            assertEquals(200, repaired.status(), repaired.body());
        }
        TableComparison.assertIdentical(source, target,
                "items");
    }

    private static long sleepingCommits() {
        return Support.queryLong(TestDatabases.source(), "select count(*) from pg_stat_activity where datname = '"
                + database + "' and wait_event = 'PgSleep'");
    }

    private static void insertAndCommit(Connection client, int id, String note) throws SQLException {
        try (Statement statement = client.createStatement()) {
            statement.executeUpdate("insert into items values (" + id + ", '" + note + "')");
        }
        client.commit();
    }

    private static ProxyProcess startProxy(int listenPort, int httpPort, String proxyId) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "EXODUS_AUTH_METHOD", "md5",
                "EXODUS_TLS_MODE", "disable",
                "EXODUS_MIGRATION_PHASE", "dual-write",
                "EXODUS_MIGRATION_POLICY", "both-required",
                "EXODUS_MIGRATION_PROXY_ID", proxyId,
                "EXODUS_ADMIN_TOKEN", TOKEN,
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort)));
        return Support.startProxyOnTestDatabases(listenPort, environment);
    }
}
