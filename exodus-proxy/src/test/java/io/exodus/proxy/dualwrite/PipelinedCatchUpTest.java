package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static io.exodus.proxy.dualwrite.DualWriteDatabases.count;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The applier sends many queued transactions in one write (exodus.replay.pipeline-depth, 32 here by default): the
 * queue still drains in the source's commit order, exactly once, and an entry the target refuses in the middle of a
 * pipeline keeps every entry behind it out of the target until it applies (docs/adr/0048).
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class PipelinedCatchUpTest {
    private static final String DATABASE = "dw_pipelined";
    private static final Duration DRAIN_WITHIN = Duration.ofSeconds(120);
    /** Several pipelines' worth, so that a refused entry sits in the middle of one. */
    private static final int TRANSACTIONS = 120;
    private static final int REFUSED = 50;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreateWithDurableCommits(DATABASE);
    }

    @AfterEach
    void targetRunsAgain() throws Exception {
        TestDatabases.startTarget();
        CatchUpDrain.await(DRAIN_WITHIN);
    }

    /**
     * Transactions that write the same few rows over and over, in an order only the source's commits decide: replayed
     * out of order or twice, the target's rows would end up different.
     */
    @Test
    void conflictingTransactionsQueuedInManyPipelinesDrainToATargetIdenticalRowByRow() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists balances, moves");
        DualWriteDatabases.onBoth(DATABASE, "create table balances (id int primary key, amount bigint not null, "
                + "last_move int)");
        DualWriteDatabases.onBoth(DATABASE, "create table moves (k int primary key, balance int not null, "
                + "amount_after bigint not null)");
        DualWriteDatabases.onBoth(DATABASE, "insert into balances select g, 0, null from generate_series(1, 5) g");
        try (CatchUpLockHolder otherProxy = CatchUpLockHolder.take(DATABASE)) {
            queueWith("update balances set amount = amount + 1");
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                    PreparedStatement move = client.prepareStatement("update balances set amount = amount * 3 + ?, "
                            + "last_move = ? where id = ? returning amount");
                    PreparedStatement record = client.prepareStatement("insert into moves values (?, ?, ?)");
                    PreparedStatement drop = client.prepareStatement("delete from moves where k = ?")) {
                client.setAutoCommit(false);
                for (int k = 1; k <= TRANSACTIONS; k++) {
                    int balance = 1 + k * 7 % 5;
                    move.setLong(1, k);
                    move.setInt(2, k);
                    move.setInt(3, balance);
                    long after;
                    try (ResultSet amount = move.executeQuery()) {
                        amount.next();
                        after = amount.getLong(1);
                    }
                    record.setInt(1, k);
                    record.setInt(2, balance);
                    record.setLong(3, after);
                    record.executeUpdate();
                    if (k % 10 == 0) {
                        drop.setInt(1, k - 3);
                        drop.executeUpdate();
                    }
                    client.commit();
                }
            }
            assertTrue(queued() >= TRANSACTIONS, "the transactions wait in the queue");
            // The status shows the queue as of the proxy's last poll of its depth.
            long deadline = System.nanoTime() + DRAIN_WITHIN.toNanos();
            Map<String, Object> queue = databaseStatus();
            while (((Number) queue.get("depth")).longValue() < TRANSACTIONS) {
                assertTrue(System.nanoTime() < deadline, "the status never showed the queue: " + queue);
                Thread.sleep(100);
                queue = databaseStatus();
            }
            assertTrue(((Number) queue.get("oldestAgeSeconds")).doubleValue() > 0, queue.toString());
            while (queueGauge("exodus_replay_queue_depth") < TRANSACTIONS) {
                assertTrue(System.nanoTime() < deadline, "the gauge never showed the queue");
                Thread.sleep(100);
            }
            assertTrue(queueGauge("exodus_replay_queue_oldest_age_seconds") > 0);
        }

        CatchUpDrain.await(DRAIN_WITHIN);
        DualWriteDatabases.assertIdentical(DATABASE, "balances", "moves");
        assertEquals(0, queued());
        Map<String, Object> drained = databaseStatus();
        assertEquals(0L, ((Number) drained.get("depth")).longValue(), drained.toString());
        assertEquals(0.0, ((Number) drained.get("oldestAgeSeconds")).doubleValue(), drained.toString());
        // The gauges follow the poll at their own pace.
        long deadline = System.nanoTime() + DRAIN_WITHIN.toNanos();
        while (queueGauge("exodus_replay_queue_depth") != 0 || queueGauge("exodus_replay_queue_oldest_age_seconds") != 0) {
            assertTrue(System.nanoTime() < deadline, "the gauges never fell to 0");
            Thread.sleep(100);
        }
    }

    /**
     * The target refuses one transaction in the middle of a pipeline, with an error that may pass later (a trigger it
     * alone has raises a lock timeout's SQLSTATE): the transactions before it apply, none behind it does, and the
     * queue keeps them in order, untouched; the refused one is retried with its own error, not the guard's of the
     * ones behind it. Once the trigger is gone every transaction applies, once.
     */
    @Test
    void aTransactionRefusedInThePipelinesMiddleHoldsTheOnesBehindItUntilItApplies() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists arrivals, tally");
        DualWriteDatabases.onBoth(DATABASE, "create table arrivals (k int primary key)");
        DualWriteDatabases.onBoth(DATABASE, "create table tally (id int primary key, n int not null)");
        DualWriteDatabases.onBoth(DATABASE, "insert into tally values (1, 0)");
        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute("""
                    create or replace function refuse_the_refused() returns trigger language plpgsql as $$
                    begin
                        if new.k = %d then
                            raise exception 'the target refuses arrival %d for now' using errcode = '55P03';
                        end if;
                        return new;
                    end $$""".formatted(REFUSED, REFUSED));
            statement.execute("create trigger refuse_the_refused before insert on arrivals for each row "
                    + "execute function refuse_the_refused()");
        }
        try (CatchUpLockHolder otherProxy = CatchUpLockHolder.take(DATABASE)) {
            queueWith("insert into arrivals values (0)");
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                    Statement statement = client.createStatement()) {
                client.setAutoCommit(false);
                for (int k = 1; k <= TRANSACTIONS; k++) {
                    statement.execute("insert into arrivals values (" + k + ")");
                    statement.execute("update tally set n = (n * 2 + " + k + ") % 1000003 where id = 1");
                    client.commit();
                }
            }
        }

        long deadline = System.nanoTime() + DRAIN_WITHIN.toNanos();
        while (count(DualWriteDatabases.source(DATABASE),
                "select count(*) from exodus.replay_queue where attempts > 0") == 0) {
            assertTrue(System.nanoTime() < deadline, "the refused transaction was never tried");
            Thread.sleep(100);
        }
        assertEquals(LongStream.rangeClosed(0, REFUSED - 1).boxed().toList(),
                longs(DualWriteDatabases.target(DATABASE), "select k from arrivals order by k"),
                "the transactions ahead of the refused one applied, none behind it");
        List<String> waiting = new ArrayList<>();
        try (Connection source = DualWriteDatabases.source(DATABASE).openJdbc();
                Statement statement = source.createStatement();
                ResultSet rows = statement.executeQuery("select attempts, coalesce(last_error, ''), state "
                        + "from exodus.replay_queue order by id")) {
            while (rows.next()) {
                waiting.add(rows.getInt(1) + " " + rows.getString(3) + " " + rows.getString(2));
            }
        }
        assertEquals(TRANSACTIONS - REFUSED + 1, waiting.size(), "the refused one and all behind it wait: " + waiting);
        assertTrue(waiting.get(0).matches("\\d+ queued 55P03 .*the target refuses arrival " + REFUSED + " for now"),
                "the refused transaction's own error: " + waiting.get(0));
        assertEquals(List.of("0 queued "), waiting.subList(1, waiting.size()).stream().distinct().toList(),
                "the ones behind it are untouched: never counted as tried, no error of theirs kept");

        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute("drop trigger refuse_the_refused on arrivals");
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals(LongStream.rangeClosed(0, TRANSACTIONS).boxed().toList(),
                longs(DualWriteDatabases.target(DATABASE), "select k from arrivals order by k"));
        DualWriteDatabases.assertIdentical(DATABASE, "arrivals", "tally");
        assertEquals(0, queued());
        assertEquals(0, count(DualWriteDatabases.target(DATABASE), "select count(*) from exodus.replay_applied"),
                "every marker deleted with its entry");
    }

    /**
     * Transactions that choose their isolation level with SET TRANSACTION, which PostgreSQL takes only before the
     * transaction's first query: queued behind others in a pipeline, each still applies (nothing of the pipeline may
     * run a query in an entry's transaction ahead of the entry's own statements).
     */
    @Test
    void transactionsThatSetTheirIsolationLevelApplyBehindOthers() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists levels");
        DualWriteDatabases.onBoth(DATABASE, "create table levels (k int primary key, note text)");
        try (CatchUpLockHolder otherProxy = CatchUpLockHolder.take(DATABASE)) {
            queueWith("insert into levels values (0, 'first')");
            try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                    Statement statement = client.createStatement()) {
                client.setAutoCommit(false);
                for (int k = 1; k <= 40; k++) {
                    statement.execute("set transaction isolation level repeatable read");
                    statement.execute("insert into levels values (" + k + ", 'repeatable read')");
                    client.commit();
                }
            }
        }
        CatchUpDrain.await(DRAIN_WITHIN);
        assertEquals(0, queued());
        DualWriteDatabases.assertIdentical(DATABASE, "levels");
    }

    /**
     * Makes the database queue while the test holds its replay: a transaction written while the target is down goes
     * to the queue, and every later one follows it there until the queue drains.
     */
    private void queueWith(String firstWrite) throws Exception {
        TestDatabases.stopTargetImmediately();
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute(firstWrite);
        }
        TestDatabases.startTarget();
    }

    private static Map<String, Object> databaseStatus() {
        JsonPath status = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .get("/exodus/migration").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> databases = status.getList("replay.databases");
        return databases.stream().filter(db -> DATABASE.equals(db.get("database"))).findFirst()
                .orElseThrow(() -> new AssertionError("no queue of " + DATABASE + " in " + status.prettify()));
    }

    /** The database's series of a per-queue gauge on /q/metrics. */
    private static double queueGauge(String name) {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(name + "{") && line.contains("database=\"" + DATABASE + "\"")
                        && line.contains("home=\"source\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " of " + DATABASE + " on /q/metrics"));
    }

    private static long queued() throws SQLException {
        return count(DualWriteDatabases.source(DATABASE), "select count(*) from exodus.replay_queue");
    }

    private static List<Long> longs(ConnectionTarget database, String sql) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (Connection connection = database.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                values.add(result.getLong(1));
            }
        }
        return values;
    }

}
