package io.exodus.proxy.cutover;

import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.verify.VerificationApi;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With exodus.migration.cutover.max-verification-age at its default (24 h), a cutover needs every database of the
 * source that has tables verified whole within it: refused for a database never verified, for one whose last
 * verification is older, and for one with a table its last verification left out; done once each is verified again.
 * A rollback does not ask it.
 */
@QuarkusTest
@TestProfile(RecentVerificationProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class RecentVerificationGateTest {
    private static final String DATABASE = "recently_verified";

    @Inject
    MigrationState migration;

    @AfterEach
    void backToDualWrite() {
        migration.changePhase(MigrationPhase.DUAL_WRITE);
    }

    @Test
    void aCutoverNeedsEveryDatabaseVerifiedWholeAndRecently() throws Exception {
        TestDatabases.dropDatabasesOfOtherTests();
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table items (id int primary key, name text)");
        DualWriteDatabases.onBoth(DATABASE, "insert into items select g, 'item ' || g from generate_series(1, 20) g");

        // As other classes leave them: a table of a shared database that differs between the servers.
        DualWriteDatabases.onBoth("postgres", "create table if not exists gate_leftover (id int primary key)");
        Psql.against(DualWriteDatabases.source("postgres")).query("insert into gate_leftover values (1) "
                + "on conflict do nothing");
        try {
            walkThroughTheGate();
        } finally {
            DualWriteDatabases.onBoth("postgres", "drop table gate_leftover");
        }
    }

    private void walkThroughTheGate() throws Exception {
        Response never = post("cutover");
        assertEquals(409, never.statusCode(), never.asString());
        assertTrue(never.asString().contains(DATABASE + " (never verified)"), never.asString());

        verifyEveryDatabase();
        Response verified = post("cutover");
        assertEquals(200, verified.statusCode(), () -> "every database verified whole within 24 h: "
                + verified.asString());

        Psql source = Psql.against(DualWriteDatabases.source(DATABASE));
        source.query("update exodus.verification_runs set finished_at = finished_at - interval '25 hours'");
        Response rollback = post("rollback");
        assertEquals(200, rollback.statusCode(), () -> "a rollback is the way out, it asks no recent verification: "
                + rollback.asString());
        assertEquals(MigrationPhase.DUAL_WRITE, migration.phase());

        Response old = post("cutover");
        assertEquals(409, old.statusCode(), old.asString());
        assertTrue(old.asString().contains(DATABASE + " (last verified 25.0 h ago)"), old.asString());
        assertTrue(old.asString().contains("max-verification-age (1440 min)"), old.asString());

        verify(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table later (id int primary key)");
        Response uncovered = post("cutover");
        assertEquals(409, uncovered.statusCode(), uncovered.asString());
        assertTrue(uncovered.asString().contains("1 tables not in its last verification: public.later"),
                uncovered.asString());

        verify(DATABASE);
        Response again = post("cutover");
        assertEquals(200, again.statusCode(), again::asString);
    }

    /** Every database of the source that has tables: the test's and the shared ones other tests wrote into. */
    private static void verifyEveryDatabase() throws Exception {
        List<String> databases = new ArrayList<>(List.of(Psql.against(ConnectionTarget.superuser(
                TestDatabases.source())).query("select string_agg(datname, ',') from pg_database "
                        + "where datallowconn and not datistemplate").split(",")));
        for (String database : databases) {
            verify(database);
        }
        // Other classes leave the shared databases' tables different on purpose: their verification marked them,
        // which holds a cutover back by another gate than this test's.
        TestDatabases.forgetDivergenceMarks();
    }

    private static void verify(String database) throws Exception {
        VerificationApi.verifyWith(DualWriteProfile.TOKEN, "{\"database\": \"" + database + "\"}");
    }

    private static Response post(String step) {
        return given().header("Authorization", "Bearer " + DualWriteProfile.TOKEN)
                .header("X-Exodus-Actor", "verification gate test").contentType("application/json")
                .body("{}").post("/exodus/migration/" + step);
    }
}
