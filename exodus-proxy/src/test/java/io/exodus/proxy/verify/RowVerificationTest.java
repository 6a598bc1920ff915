package io.exodus.proxy.verify;

import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Row-by-row verification against the shared source and target servers: identical tables verify identical, rows
 * changed on the target behind Exodus' back are found by key through bisection, a duplicated row of a table without
 * a key is found, and rows written through the proxy while it verifies are not reported.
 */
@QuarkusTest
@TestProfile(VerificationProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class RowVerificationTest {
    private static final String DATABASE = "verify_rows";
    private static final String BEARER = VerificationApi.BEARER;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createTables() throws SQLException {
        for (var server : List.of(TestDatabases.source(), TestDatabases.target())) {
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + DATABASE + " with (force)");
                statement.execute("create database " + DATABASE);
            }
        }
        // The target prints timestamps in another zone by default: verification must not care.
        run(target(), "alter database " + DATABASE + " set timezone = 'Asia/Tokyo'");
        run(source(), "create table typed (id bigint primary key, amount numeric(12, 2), ratio float8, "
                + "at timestamptz, doc jsonb, tags text[], name text)");
        // The same columns in another order on the target: rows compare by column name.
        run(target(), "create table typed (name text, tags text[], doc jsonb, at timestamptz, ratio float8, "
                + "amount numeric(12, 2), id bigint primary key)");
        String typedRows = "insert into typed (id, amount, ratio, at, doc, tags, name) select g, g * 1.25, g / 7.0::float8,"
                + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', jsonb_build_object('g', g, 'even', "
                + "g % 2 = 0), array[g::text, 'x'], case when g % 10 = 0 then null else 'name ' || g end "
                + "from generate_series(1, 50000) g";
        String[] both = {
                "create table drifted (id int primary key, v text)",
                "insert into drifted select g, 'value ' || g from generate_series(1, 50000) g",
                "create table composite (a text, b int, v int, primary key (a, b))",
                "insert into composite select 'k' || (g % 50), g, g from generate_series(1, 5000) g",
                "create table bag (v int, w text)",
                "insert into bag select g % 100, 'w' || (g % 7) from generate_series(1, 3000) g",
                "create table settling (id int primary key, v int)",
                "insert into settling select g, g from generate_series(1, 50000) g",
                "create table busy (id int primary key, balance int not null)",
                "insert into busy select g, 0 from generate_series(1, 20000) g",
                typedRows,
                "analyze typed",
                "create table parted (id int primary key, v int) partition by range (id)",
                "create table parted_low partition of parted for values from (0) to (1000)",
                "create table parted_high partition of parted for values from (1000) to (10000)",
                "insert into parted select g, g from generate_series(1, 5000) g",
                "create table audited (id int primary key)",
                "create function keep() returns trigger language plpgsql as $$ begin return new; end $$",
                "create trigger audited_keep before insert on audited for each row execute function keep()"};
        for (String sql : both) {
            run(source(), sql);
            run(target(), sql);
        }
        // Behind Exodus' back, on the target only.
        run(target(), "delete from drifted where id = 12345");
        run(target(), "update drifted set v = 'changed' where id = 33333");
        run(target(), "insert into drifted values (60001, 'only on the target')");
        run(target(), "delete from composite where a = 'k7' and b = 4007");
        run(target(), "insert into bag values (42, 'w0')");
        // What catch-up does when a transaction the target missed could not be queued.
        run(source(), CatchUpQueueSql.CREATE_QUEUE);
        run(source(), "insert into exodus.divergent_tables (table_name, reason) values ('drifted', 'parked in a test')");
    }

    @Test
    void identicalTablesVerifyIdentical() throws Exception {
        JsonPath report = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"typed\", \"public.busy\", "
                + "\"parted\"]}", started -> {
                    assertEquals("running", started.getString("state"), started.prettify());
                    assertEquals(false, started.getBoolean("identical"), "not known before it is done");
                    assertEquals(List.of("public.typed", "public.busy", "public.parted"),
                            started.getList("tables.table"));
                    assertEquals(0L, started.getLong("tables[2].rowsChecked"));
                });
        assertEquals("done", report.getString("state"), report.prettify());
        assertTrue(report.getBoolean("identical"), report.prettify());
        assertEquals(0L, report.getLong("pauses"), "no cap on the databases' time by default");
        assertEquals("public.typed", report.getString("tables[0].table"));
        assertEquals("primary-key", report.getString("tables[0].comparedBy"));
        assertEquals(50_000L, report.getLong("tables[0].sourceRows"));
        assertEquals(50_000L, report.getLong("tables[0].targetRows"));
        assertEquals(50_000L, report.getLong("tables[0].rowsChecked"));
        assertEquals(20_000L, report.getLong("tables[1].rowsChecked"));
        assertEquals(5_000L, report.getLong("tables[2].rowsChecked"));
    }

    @Test
    void rowsDeletedChangedAndAddedOnTheTargetAreFoundByKey() throws Exception {
        JsonPath report = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"composite\", \"bag\", "
                + "\"drifted\"]}");
        assertEquals("done", report.getString("state"), report.prettify());
        assertEquals(false, report.getBoolean("identical"));
        // Marked divergent by catch-up: verified first.
        assertEquals("public.drifted", report.getString("tables[0].table"), report.prettify());
        assertEquals("parked in a test", report.getString("tables[0].divergentReason"));
        assertEquals(50_000L, report.getLong("tables[0].sourceRows"));
        assertEquals(50_000L, report.getLong("tables[0].targetRows"));
        assertEquals(1, report.getLong("tables[0].missing"));
        assertEquals(1, report.getLong("tables[0].extra"));
        assertEquals(1, report.getLong("tables[0].different"));
        assertEquals(List.of(
                Map.of("kind", "missing", "key", Map.of("id", "12345")),
                Map.of("kind", "different", "key", Map.of("id", "33333")),
                Map.of("kind", "extra", "key", Map.of("id", "60001"))), report.getList("tables[0].examples"));

        assertEquals("public.composite", report.getString("tables[1].table"));
        assertEquals(List.of(Map.of("kind", "missing", "key", Map.of("a", "k7", "b", "4007"))),
                report.getList("tables[1].examples"));

        assertEquals("public.bag", report.getString("tables[2].table"));
        assertEquals("whole-row", report.getString("tables[2].comparedBy"));
        assertEquals(0, report.getLong("tables[2].missing"));
        assertEquals(1, report.getLong("tables[2].extra"));
        Map<String, Object> duplicate = report.getMap("tables[2].examples[0]");
        // (42, 'w0') is row g of g ≡ 42 mod 100 and g ≡ 0 mod 7: 42, 742, 1442, 2142, 2842.
        assertEquals(5, ((Number) duplicate.get("sourceCount")).intValue(), duplicate.toString());
        assertEquals(6, ((Number) duplicate.get("targetCount")).intValue(), duplicate.toString());
        assertNull(duplicate.get("key"));

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("exodus_verification_identical{service=\"exodus-proxy\"} 0.0"), metrics);
        assertTrue(metrics.contains("exodus_verification_rows{kind=\"missing\",service=\"exodus-proxy\"} 2.0"),
                metrics);
        assertTrue(metrics.contains("exodus_verification_rows{kind=\"extra\",service=\"exodus-proxy\"} 2.0"),
                metrics);
        assertTrue(metrics.contains("exodus_verification_rows{kind=\"different\",service=\"exodus-proxy\"} 1.0"),
                metrics);
    }

    @Test
    void rowsWrittenThroughTheProxyWhileItVerifiesAreNotReported() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong commits = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread writer = new Thread(() -> {
                Properties properties = new Properties();
                properties.setProperty("socketTimeout", "20");
                try (Connection client = ConnectionTarget.local(port, TestUsers.SUPERUSER,
                        TestUsers.SUPERUSER_PASSWORD, DATABASE).openJdbc(properties);
                        PreparedStatement update = client.prepareStatement(
                                "update busy set balance = balance + ? where id = ?")) {
                    client.setAutoCommit(false);
                    while (writing.get()) {
                        // Transfers among a few hundred rows, each its own transaction, as a bank would.
                        int from = ThreadLocalRandom.current().nextInt(1, 300);
                        int to = ThreadLocalRandom.current().nextInt(1, 300) + 10_000;
                        update.setInt(1, -1);
                        update.setInt(2, from);
                        update.executeUpdate();
                        update.setInt(1, 1);
                        update.setInt(2, to);
                        update.executeUpdate();
                        client.commit();
                        commits.incrementAndGet();
                    }
                } catch (Throwable failure) {
                    writerFailure.compareAndSet(null, failure);
                }
            });
            writer.start();
            writers.add(writer);
        }
        long settled = 0;
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (commits.get() < 100 && writerFailure.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // Whether a round catches a write in flight between the two databases is chance: most settle already
            // between the range checksums and the rows (aRowThatDiffersForAMomentSettlesOnARecheck pins the re-check).
            for (int round = 0; round < 3; round++) {
                JsonPath report = VerificationApi.verify("{\"database\": \"" + DATABASE + "\", \"tables\": [\"busy\"]}");
                assertEquals("done", report.getString("state"), report.prettify());
                assertTrue(report.getBoolean("identical"), "round " + round + ": " + report.prettify());
                settled += report.getLong("tables[0].settled");
                System.out.printf("Verification round %d under %d commits: %d rows settled on a re-check so far%n",
                        round, commits.get(), settled);
            }
        } finally {
            writing.set(false);
            for (Thread writer : writers) {
                writer.join(30_000);
            }
        }
        assertNull(writerFailure.get(), () -> "a writer failed: " + writerFailure.get());
        assertTrue(commits.get() >= 100, "the writers committed " + commits.get() + " transactions");
        // And the test fixture's own row-by-row comparison, independent of verification, agrees.
        TableComparison.assertIdentical(source(), target(), "public.busy");
    }

    @Test
    void aRowThatDiffersForAMomentSettlesOnARecheck() throws Exception {
        run(target(), "update settling set v = -1 where id = 5");
        given().header("Authorization", BEARER).body("{\"database\": \"" + DATABASE + "\", \"tables\": "
                + "[\"settling\"]}").post("/exodus/migration/verify").then().statusCode(202);
        // Ranges are compared in key order: the first rows checked are those of the range that holds id 5, and the
        // re-checks wait for the rest of the table.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (given().header("Authorization", BEARER).get("/exodus/migration/verification").then().extract()
                .jsonPath().getLong("tables[0].rowsChecked") == 0) {
            assertTrue(System.nanoTime() < deadline, "no rows checked within 60 s");
            Thread.sleep(20);
        }
        run(target(), "update settling set v = 5 where id = 5");
        JsonPath report;
        do {
            Thread.sleep(100);
            report = given().header("Authorization", BEARER).get("/exodus/migration/verification").then()
                    .statusCode(200).extract().jsonPath();
        } while ("running".equals(report.getString("state")) && System.nanoTime() < deadline);
        assertTrue(report.getBoolean("identical"), report.prettify());
        assertEquals(1, report.getLong("tables[0].settled"), report.prettify());
    }

    @Test
    void rowCountsPutTablesWithTriggersFirstAndEstimateLargeOnes() throws Exception {
        given().get("/exodus/migration/row-counts").then().statusCode(401);
        given().header("Authorization", BEARER).body("{\"database\": \"" + DATABASE + "\"}")
                .post("/exodus/migration/row-counts").then().statusCode(202);
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonPath report;
        do {
            Thread.sleep(200);
            report = given().header("Authorization", BEARER).get("/exodus/migration/row-counts").then().statusCode(200)
                    .extract().jsonPath();
        } while ("running".equals(report.getString("state")) && System.nanoTime() < deadline);
        assertEquals("done", report.getString("state"), report.prettify());
        assertEquals("public.audited", report.getString("tables[0].table"), report.prettify());
        assertTrue(report.getBoolean("tables[0].triggers"));
        Map<String, Map<String, Object>> byTable = new java.util.HashMap<>();
        for (Map<String, Object> table : report.<Map<String, Object>>getList("tables")) {
            byTable.put((String) table.get("table"), table);
        }
        Map<String, Object> composite = byTable.get("public.composite");
        assertEquals(List.of(5000, 4999, true, false), List.of(composite.get("sourceRows"), composite.get("targetRows"),
                composite.get("differs"), composite.get("estimated")), composite.toString());
        assertEquals(true, byTable.get("public.bag").get("differs"), byTable.get("public.bag").toString());
        // Analyzed at 50,000 rows, above the limit of 40,000: estimated, and never judged.
        Map<String, Object> typed = byTable.get("public.typed");
        assertEquals(true, typed.get("estimated"), typed.toString());
        assertNull(typed.get("differs"), typed.toString());
        assertEquals(false, byTable.get("public.busy").get("differs"));
        assertEquals(2, report.getLong("differing"), report.prettify());
    }

    @Test
    void theEndpointsNeedTheTokenAndSayWhatIsWrong() {
        given().post("/exodus/migration/verify").then().statusCode(401).body("error", containsString("bearer token"));
        given().header("Authorization", "Bearer wrong").post("/exodus/migration/verify").then().statusCode(401);
        given().get("/exodus/migration/verification").then().statusCode(401);
        given().header("Authorization", BEARER).body("{\"database\": \"" + DATABASE + "\", \"tables\": [\"nope\"]}")
                .post("/exodus/migration/verify").then().statusCode(400)
                .body("error", containsString("no table nope in database \"" + DATABASE + "\""));
        given().header("Authorization", BEARER).body("{\"tables\": ").post("/exodus/migration/verify").then()
                .statusCode(400).body("error", containsString("must be JSON"));
    }

    private static ConnectionTarget source() {
        return ConnectionTarget.superuser(TestDatabases.source()).withDatabase(DATABASE);
    }

    private static ConnectionTarget target() {
        return ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
    }

    private static void run(ConnectionTarget on, String sql) throws SQLException {
        try (Connection connection = on.openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
