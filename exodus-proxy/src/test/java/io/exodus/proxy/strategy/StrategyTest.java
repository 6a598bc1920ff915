package io.exodus.proxy.strategy;

import io.exodus.testsupport.TestDatabases;
import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.shadow.ShadowReads;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strategies walk the migration by themselves (PUT /exodus/migration/strategy): the canary's steps, each watched by
 * the health gates for a soak, then the cutover; a gate that fails rolls the migration back to the source.
 */
@QuarkusTest
@TestProfile(StrategyProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class StrategyTest {
    private static final int ACCOUNTS = 20;
    private static final int BALANCE = 1000;
    private static int databases;
    private String database;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    ReadsBySide reads;

    @Inject
    ShadowReads shadow;

    @BeforeEach
    void freshDatabase() throws Exception {
        // A cutover looks through every database: those of earlier tests would make each slower than the last.
        TestDatabases.dropDatabasesOfOtherTests();
        database = "strategy_" + ++databases;
        DualWriteDatabases.recreate(database);
        DualWriteDatabases.onBoth(database, "create table accounts (id int primary key, balance int not null)");
        DualWriteDatabases.onBoth(database, "insert into accounts select g, " + BALANCE
                + " from generate_series(1, " + ACCOUNTS + ") g");
        // The cutover's error-rate gate counts the target's reads from the last time the phase became canary: a
        // strategy that starts in dual-write (blue-green, big-bang) would count those an earlier test made fail.
        migration.changePhase(MigrationPhase.CANARY);
        migration.changePhase(MigrationPhase.DUAL_WRITE);
    }

    @AfterEach
    void backToDualWrite() throws Exception {
        if (migration.phase() == MigrationPhase.CUTOVER) {
            Response rollback = post("rollback", "{}");
            assertEquals(200, rollback.statusCode(), rollback.asString());
        }
        migration.changePhase(MigrationPhase.DUAL_WRITE);
        DualWriteDatabases.assertIdentical(database, "accounts");
    }

    @Test
    void theCanaryStrategyStepsThroughItsSharesAndCutsOverUnderLoadWithoutAClientError() throws Exception {
        long targetReadsBefore = reads.tally(Side.TARGET).reads();
        try (Load load = new Load(null)) {
            Thread.sleep(300);
            Response started = strategy("canary");
            assertEquals(200, started.statusCode(), started.asString());
            assertEquals(List.of("canary 50 %", "canary 100 %", "cutover"), started.jsonPath().getList("steps"));
            JsonPath ended = awaitEnd(Duration.ofSeconds(60));
            assertEquals("done", ended.getString("strategy.state"), ended.prettify());
            assertEquals("cutover", ended.getString("phase"));
            assertEquals("target", ended.getString("primary"));
            assertEquals(2, ended.getInt("strategy.step"), "it ended at the cutover");
            assertEquals(0, load.errors(), () -> "client errors: " + load.messages);
        }
        assertTrue(reads.tally(Side.TARGET).reads() > targetReadsBefore, "the canary steps sent reads to the target");
        assertEquals(String.valueOf(ACCOUNTS * BALANCE),
                Psql.against(DualWriteDatabases.target(database)).query("select sum(balance) from accounts"));
    }

    @Test
    void aGateThatFailsRollsTheMigrationBackToTheSource() throws Exception {
        // A table the target lacks: the canary's reads of it fail there, and only there.
        Psql.against(DualWriteDatabases.source(database)).query("create table only_on_source (id int)");
        try (Load load = new Load("select count(*) from only_on_source")) {
            Thread.sleep(300);
            assertEquals(200, strategy("canary").statusCode());
            JsonPath ended = awaitEnd(Duration.ofSeconds(60));
            assertEquals("rolled-back", ended.getString("strategy.state"), ended.prettify());
            assertTrue(ended.getString("strategy.outcome").contains("of the target's"), ended.getString("strategy.outcome"));
            assertEquals("dual-write", ended.getString("phase"));
            assertEquals("source", ended.getString("primary"));
            assertTrue(ended.getDouble("strategy.gates.targetErrorRate") > 0, ended.prettify());
        }
    }

    @Test
    void blueGreenComparesTheTargetsAnswersForASoakThenCutsOverWithoutAClientError() throws Exception {
        long compared = shadow.compared();
        try (Load load = new Load(null)) {
            Thread.sleep(300);
            Response started = strategy("blue-green");
            assertEquals(200, started.statusCode(), started.asString());
            assertEquals(List.of("shadow reads", "cutover"), started.jsonPath().getList("steps"));
            JsonPath ended = awaitEnd(Duration.ofSeconds(60));
            assertEquals("done", ended.getString("strategy.state"), ended.prettify());
            assertEquals("cutover", ended.getString("phase"));
            assertEquals("target", ended.getString("primary"));
            assertEquals(0, load.errors(), () -> "client errors: " + load.messages);
            assertEquals(0, ended.getLong("shadow.mismatches"), ended.prettify());
        }
        assertTrue(shadow.compared() - compared >= 5, "the shadow step compared the reads it needs (min-reads)");
        assertTrue(!shadow.active(), "reads are not shadowed after the shadow step");
    }

    @Test
    void blueGreenWhoseTargetAnswersDifferentlyDoesNotCutOver() throws Exception {
        DualWriteDatabases.onBoth(database, "create table notes (id int primary key, body text)");
        DualWriteDatabases.onBoth(database, "insert into notes values (1, 'same on both')");
        Psql.against(DualWriteDatabases.target(database)).query("update notes set body = 'changed' where id = 1");
        try (Load load = new Load("select body from notes")) {
            Thread.sleep(300);
            assertEquals(200, strategy("blue-green").statusCode());
            JsonPath ended = awaitEnd(Duration.ofSeconds(60));
            assertEquals("rolled-back", ended.getString("strategy.state"), ended.prettify());
            assertTrue(ended.getString("strategy.outcome").contains("had different answers"),
                    ended.getString("strategy.outcome"));
            assertEquals("dual-write", ended.getString("phase"));
            assertEquals("source", ended.getString("primary"));
            assertEquals(0, ended.getInt("strategy.step"), "it ended at the shadow step");
            assertEquals("select body from notes", ended.getString("shadow.recent[0].fingerprint"));
            assertEquals(0, load.errors(), () -> "client errors: " + load.messages);
        }
    }

    /**
     * A tenant moved by hand: its reads outside transactions are answered by the target, another tenant's by the
     * source, and both tenants' writes reach both databases; rolled back, its reads are the source's again.
     */
    @Test
    void aTenantsReadsMoveAloneWhileEveryTenantsWritesReachBothDatabases() throws Exception {
        assertEquals(409, tenant("alpha", "{\"percent\": 100}").statusCode(), "tenants move in phase canary");
        assertEquals(200, put("phase", "{\"phase\": \"canary\"}").statusCode());
        assertEquals(200, put("canary", "{\"percent\": 0}").statusCode());
        Response moved = tenant("alpha", "{\"percent\": 100}");
        assertEquals(200, moved.statusCode(), moved.asString());
        assertEquals(Map.of("alpha", 100.0f), moved.jsonPath().getMap("tenants"));
        assertEquals(400, tenant("alpha", "{\"percent\": 101}").statusCode());

        String sourcePort = Psql.against(DualWriteDatabases.source(database)).query("show port");
        String targetPort = Psql.against(DualWriteDatabases.target(database)).query("show port");
        try (Connection alpha = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database), "ApplicationName",
                "alpha"); Connection beta = DualWriteDatabases.open(DualWriteDatabases.proxy(port, database),
                "ApplicationName", "beta")) {
            assertEquals(targetPort, answeringPort(alpha), "alpha's reads are the target's");
            assertEquals(sourcePort, answeringPort(beta), "beta's stay on the source");
            try (Statement a = alpha.createStatement(); Statement b = beta.createStatement()) {
                a.execute("update accounts set balance = balance - 5 where id = 1");
                b.execute("update accounts set balance = balance + 5 where id = 1");
                a.execute("update accounts set balance = balance - 7 where id = 2");
                b.execute("update accounts set balance = balance + 7 where id = 3");
            }
            JsonPath status = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                    .get("/exodus/migration").jsonPath();
            assertEquals("application-name", status.getString("tenantKey"));
            assertEquals(Map.of("alpha", 100.0f), status.getMap("tenants"));

            Response back = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                    .delete("/exodus/migration/tenants/alpha");
            assertEquals(200, back.statusCode(), back.asString());
            assertEquals(Map.of(), back.jsonPath().getMap("tenants"));
            assertEquals(sourcePort, answeringPort(alpha), "rolled back: alpha's reads are the source's again");
        }
        for (var side : List.of(DualWriteDatabases.source(database), DualWriteDatabases.target(database))) {
            assertEquals("1000|993|1007", Psql.against(side).query(
                    "select string_agg(balance::text, '|' order by id) from accounts where id <= 3"));
        }
    }

    /** Tenant after tenant through the canary's shares, then the cutover, under both tenants' load. */
    @Test
    void userByUserMovesEachTenantThroughTheCanarysSharesThenCutsOverWithoutAClientError() throws Exception {
        long targetReadsBefore = reads.tally(Side.TARGET).reads();
        try (Load load = new Load(null, "alpha", "beta")) {
            Thread.sleep(300);
            Response started = strategy("user-by-user", "[\"alpha\", \"beta\"]");
            assertEquals(200, started.statusCode(), started.asString());
            assertEquals(List.of("tenant alpha 50 %", "tenant alpha 100 %", "tenant beta 50 %", "tenant beta 100 %",
                    "cutover"), started.jsonPath().getList("steps"));
            JsonPath ended = awaitEnd(Duration.ofSeconds(90));
            assertEquals("done", ended.getString("strategy.state"), ended.prettify());
            assertEquals("cutover", ended.getString("phase"));
            assertEquals(Map.of("alpha", 100.0f, "beta", 100.0f), ended.getMap("tenants"));
            assertEquals(0, load.errors(), () -> "client errors: " + load.messages);
        }
        assertTrue(reads.tally(Side.TARGET).reads() > targetReadsBefore, "the tenants' steps sent reads to the target");
        assertEquals(String.valueOf(ACCOUNTS * BALANCE),
                Psql.against(DualWriteDatabases.target(database)).query("select sum(balance) from accounts"));
    }

    /** A tenant whose target reads fail is rolled back alone; the migration stays in canary, the fleet on the source. */
    @Test
    void aTenantWhoseStepFailsItsGatesIsRolledBackAlone() throws Exception {
        Psql.against(DualWriteDatabases.source(database)).query("create table only_on_source (id int)");
        try (Load load = new Load("select count(*) from only_on_source", "alpha", "beta")) {
            Thread.sleep(300);
            assertEquals(200, strategy("user-by-user", "[\"alpha\", \"beta\"]").statusCode());
            JsonPath ended = awaitEnd(Duration.ofSeconds(60));
            assertEquals("rolled-back", ended.getString("strategy.state"), ended.prettify());
            assertTrue(ended.getString("strategy.outcome").contains("tenant alpha is back on the source"),
                    ended.getString("strategy.outcome"));
            assertEquals(0, ended.getInt("strategy.step"), "it ended at alpha's first step");
            assertEquals("canary", ended.getString("phase"));
            assertEquals(Map.of(), ended.getMap("tenants"));
            assertEquals(0.0, ended.getDouble("canaryPercent"), "the other tenants stayed on the source");
        }
    }

    @Test
    void aRunningStrategyIsStoppedWhereItIs() {
        assertEquals(200, strategy("big-bang").statusCode());
        Response stopped = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .contentType("application/json").body("{\"strategy\": \"none\", \"reason\": \"test\"}")
                .put("/exodus/migration/strategy");
        assertEquals(200, stopped.statusCode(), stopped.asString());
        String state = stopped.jsonPath().getString("state");
        assertTrue(state.equals("stopped") || state.equals("done"), stopped.asString());
        assertEquals(409, strategy("none").statusCode(), "nothing runs any more");
    }

    @Test
    void strategiesNeedTheTokenAKnownNameAndPhaseDualWrite() {
        given().contentType("application/json").body("{\"strategy\": \"canary\"}").put("/exodus/migration/strategy")
                .then().statusCode(401);
        assertEquals(400, strategy("sideways").statusCode());
        Response tenants = strategy("user-by-user");
        assertEquals(409, tenants.statusCode());
        assertTrue(tenants.asString().contains("names no tenants") && tenants.asString().contains("application-name"),
                tenants.asString());
        migration.changePhase(MigrationPhase.DIRECT);
        given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body("{\"strategy\": \"canary\"}").put("/exodus/migration/strategy").then().statusCode(409)
                .body("error", containsString("POST /exodus/migration/sync"));
        assertEquals(MigrationPhase.DIRECT, migration.phase(), "nothing was changed");
    }

    private JsonPath awaitEnd(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonPath status = given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                    .get("/exodus/migration").jsonPath();
            String state = status.getString("strategy.state");
            if (!"running".equals(state) && !"rolling-back".equals(state)) {
                return status;
            }
            assertTrue(System.nanoTime() < deadline, "the strategy still runs: " + status.prettify());
            Thread.sleep(100);
        }
    }

    private static Response strategy(String name) {
        return strategy(name, null);
    }

    /** @param tenants a JSON array, or null */
    private static Response strategy(String name, String tenants) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .header("X-Exodus-Actor", "strategy test").contentType("application/json")
                .body("{\"strategy\": \"" + name + "\"" + (tenants == null ? "" : ", \"tenants\": " + tenants) + "}")
                .put("/exodus/migration/strategy");
    }

    private static Response put(String what, String body) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body(body).put("/exodus/migration/" + what);
    }

    private static Response tenant(String tenant, String body) {
        return put("tenants/" + tenant, body);
    }

    /** The port of the server that answered a read outside a transaction. */
    private static String answeringPort(Connection client) throws SQLException {
        try (Statement statement = client.createStatement();
                ResultSet rows = statement.executeQuery("select setting from pg_settings where name = 'port'")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static Response post(String step, String body) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                .body(body).post("/exodus/migration/" + step);
    }

    /**
     * Clients moving money between accounts and reading outside transactions (the reads a canary may send to the
     * target), until closed. {@code failingRead}, when given, is read too and may fail: its errors are not counted.
     */
    private final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService clients = Executors.newFixedThreadPool(4);
        private final List<Future<Integer>> workers = new ArrayList<>();
        private final List<String> messages = java.util.Collections.synchronizedList(new ArrayList<>());
        private int errors = -1;

        /** @param tenants the application names the clients connect with, in turn; pgJDBC's own without */
        Load(String failingRead, String... tenants) {
            for (int i = 0; i < 4; i++) {
                String tenant = tenants.length == 0 ? null : tenants[i % tenants.length];
                workers.add(clients.submit(() -> work(failingRead, tenant)));
            }
        }

        private int work(String failingRead, String tenant) {
            int failed = 0;
            try (Connection client = tenant == null ? DualWriteDatabases.open(DualWriteDatabases.proxy(port, database))
                    : DualWriteDatabases.open(DualWriteDatabases.proxy(port, database), "ApplicationName", tenant);
                    Statement statement = client.createStatement()) {
                while (running.get()) {
                    int from = ThreadLocalRandom.current().nextInt(1, ACCOUNTS + 1);
                    int to = from % ACCOUNTS + 1;
                    try {
                        client.setAutoCommit(false);
                        // In the order of the ids, as a bank would: two transfers never wait for each other in a cycle.
                        int first = Math.min(from, to);
                        int second = Math.max(from, to);
                        statement.execute("update accounts set balance = balance " + (first == from ? "- 1" : "+ 1")
                                + " where id = " + first);
                        statement.execute("update accounts set balance = balance " + (second == from ? "- 1" : "+ 1")
                                + " where id = " + second);
                        client.commit();
                        client.setAutoCommit(true);
                        statement.executeQuery("select sum(balance) from accounts").close();
                    } catch (SQLException e) {
                        failed++;
                        messages.add(e.getSQLState() + " " + e.getMessage());
                        client.rollback();
                        client.setAutoCommit(true);
                    }
                    if (failingRead != null) {
                        try {
                            statement.executeQuery(failingRead).close();
                        } catch (SQLException expected) {
                            // The target's answer in a canary read: the gate's to judge.
                        }
                    }
                }
            } catch (SQLException e) {
                failed++;
                messages.add(e.getSQLState() + " " + e.getMessage());
            }
            return failed;
        }

        int errors() throws Exception {
            close();
            return errors;
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            if (errors < 0) {
                errors = 0;
                for (Future<Integer> worker : workers) {
                    errors += worker.get(30, TimeUnit.SECONDS);
                }
            }
            clients.shutdownNow();
        }
    }
}
