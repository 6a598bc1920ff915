package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.Divergence;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.exodus.proxy.dualwrite.DualWriteDatabases.count;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replay queue's limits (CatchUpLimitsProfile: 3 entries, 2 attempts): a transaction the target keeps refusing
 * is parked and the queue goes on; past the size limit a missed transaction is reported, never dropped silently.
 * Either way the tables concerned are marked divergent, in the status and in the source's exodus.divergent_tables.
 *
 * <p>Written by role (the secondary and the primary), as {@link DualWriteCatchUpLimitsAfterCutoverTest} swaps them.
 */
@QuarkusTest
@TestProfile(CatchUpLimitsProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteCatchUpLimitsTest {
    private static final String DATABASE = "dw_replay_limits";
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    DivergenceLog divergences;

    /** Durable commits: the shared servers run synchronous_commit off, and the target is stopped immediately. */
    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreateWithDurableCommits(DATABASE);
    }

    @AfterEach
    void targetRunsAgain() throws Exception {
        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(WITHIN);
    }

    /**
     * A transaction the target refuses for what its data is (a check constraint of the target's) is parked at the
     * first failure, since the entries behind it would wait through every retry for the same answer; one refused with
     * an error of the moment (a serialization failure) is tried {@code max-attempts} times first. Either way the queue
     * goes on behind it.
     */
    @Test
    void aTransactionTheTargetKeepsRefusingIsParkedAndTheQueueGoesOn() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table refused (id int primary key, v int)");
        DualWriteDatabases.onBoth(DATABASE, "create table retried (id int primary key)");
        try (Connection target = DualWriteDatabases.secondary(DATABASE).openJdbc();
                Statement statement = target.createStatement()) {
            statement.execute("alter table refused add constraint small check (v < 100)");
            statement.execute("create function exodus_not_now() returns trigger language plpgsql as $$ begin "
                    + "raise exception 'not now' using errcode = 'serialization_failure'; end $$");
            statement.execute("create trigger not_now before insert on retried for each row "
                    + "execute function exodus_not_now()");
        }
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("insert into refused values (1, 500)");
            statement.execute("insert into refused values (2, 5)");
            statement.execute("insert into retried values (1)");
            statement.execute("insert into refused values (3, 6)");
        }
        CatchUpDrain.await(WITHIN);

        assertEquals(List.of(1, 2, 3), ids(DualWriteDatabases.primary(DATABASE), "refused"));
        assertEquals(List.of(2, 3), ids(DualWriteDatabases.secondary(DATABASE), "refused"),
                "the refused transactions are parked; the ones behind them are replayed");
        assertEquals(1, count(DualWriteDatabases.primary(DATABASE),
                "select count(*) from exodus.replay_queue where state = 'failed' and attempts = 1 "
                        + "and last_error like '%check constraint%'"), "parked at the first failure");
        assertEquals(1, count(DualWriteDatabases.primary(DATABASE),
                "select count(*) from exodus.replay_queue where state = 'failed' and attempts = "
                        + CatchUpLimitsProfile.MAX_ATTEMPTS + " and last_error like '%not now%'"),
                "tried max-attempts times");
        JsonPath status = status();
        assertTrue(status.getLong("replay.parked") >= 2, status.prettify());
        assertTrue(status.getList("replay.divergentTables").contains(DATABASE + ".refused"), status.prettify());
        assertEquals(1, count(DualWriteDatabases.primary(DATABASE),
                "select count(*) from exodus.divergent_tables where table_name = 'refused'"));
        // Parked entries stay for an operator to repair and requeue, or delete.
        DualWriteDatabases.onBoth(DATABASE, "drop table refused");
        DualWriteDatabases.onBoth(DATABASE, "drop table retried");
        try (Connection source = DualWriteDatabases.primary(DATABASE).openJdbc();
                Statement statement = source.createStatement()) {
            statement.execute("delete from exodus.replay_queue where state = 'failed'");
        }
    }

    @Test
    void pastTheSizeLimitAMissedTransactionIsReportedAndItsTableMarkedDivergent() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "create table bounded (id int primary key)");
        double notMirroredBefore = divergences.count(Divergence.Kind.NOT_MIRRORED);
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("select 1");
            DualWriteDatabases.stopSecondaryImmediately();
            for (int id = 1; id <= CatchUpLimitsProfile.MAX_ENTRIES + 2; id++) {
                statement.execute("insert into bounded values (" + id + ")");
                // Each proxy learns the depth from its polls (200 ms here).
                Thread.sleep(500);
            }
        }
        assertEquals(CatchUpLimitsProfile.MAX_ENTRIES, count(DualWriteDatabases.primary(DATABASE),
                "select count(*) from exodus.replay_queue where state = 'queued'"));
        assertEquals(notMirroredBefore + 2, divergences.count(Divergence.Kind.NOT_MIRRORED),
                "the two transactions past the limit are reported");
        assertTrue(status().getList("replay.divergentTables").contains(DATABASE + ".bounded"), status().prettify());

        DualWriteDatabases.startSecondary();
        CatchUpDrain.await(WITHIN);
        assertEquals(List.of(1, 2, 3, 4, 5), ids(DualWriteDatabases.primary(DATABASE), "bounded"));
        assertEquals(List.of(1, 2, 3), ids(DualWriteDatabases.secondary(DATABASE), "bounded"),
                "what fitted in the queue reached the target");
    }

    private static JsonPath status() {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN).get("/exodus/migration").then()
                .statusCode(200).extract().jsonPath();
    }

    private static List<Integer> ids(ConnectionTarget database, String table) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = database.openJdbc(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select id from " + table + " order by id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }

}
