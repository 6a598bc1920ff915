package io.exodus.proxy.control;

import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import io.exodus.testsupport.TestDatabases;
import io.exodus.proxy.dualwrite.DualWriteDatabases;
import io.exodus.proxy.dualwrite.DualWriteProfile;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica that becomes live again during a cutover's pause, after the requester saw every live replica hold it and
 * before the flip, never held the pause: its sessions may have begun transactions by the old route. The flip looks
 * again, in its own transaction with the state's row locked, and is called off. The test stops the cutover between the
 * two looks by locking the target's sequence the cutover sets, and makes a replica live meanwhile by writing its
 * heartbeat row, as its first heartbeat after an outage does.
 */
@QuarkusTest
@TestProfile(FlipCheckProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class ReplicaLiveAtTheFlipTest {
    private static final String DATABASE = "flip_check";

    @Inject
    MigrationState migration;

    @BeforeAll
    static void noDatabasesOfOtherClasses() throws SQLException {
        // A cutover looks through every database: those of earlier classes would only make it slower.
        TestDatabases.dropDatabasesOfOtherTests();
    }

    @Test
    void aReplicaLiveAtTheFlipWithoutHoldingThePauseCallsTheCutoverOff() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, "create table items (id serial primary key)");
        // The source drew keys the target did not: the cutover sets the target's sequence past them.
        Psql.against(DualWriteDatabases.source(DATABASE)).query("select nextval('items_id_seq'), "
                + "nextval('items_id_seq')");
        Psql source = Psql.against(DualWriteDatabases.source("postgres"));
        try (Connection target = DualWriteDatabases.open(DualWriteDatabases.target(DATABASE));
                Statement locking = target.createStatement()) {
            target.setAutoCommit(false);
            // Held until the transaction ends: the setval the cutover sends waits for it.
            locking.execute("alter sequence items_id_seq increment by 1");
            CompletableFuture<Response> cutover = CompletableFuture.supplyAsync(() -> given()
                    .header("Authorization", "Bearer " + DualWriteProfile.TOKEN).contentType("application/json")
                    .body("{\"reason\": \"test\"}").post("/exodus/migration/cutover"));
            assertTrue(waitingForTheSequence(), "the cutover reached its sequences, every live replica holding");
            source.query("insert into exodus.replicas (fleet, replica, phase, policy, version, last_seen) values ('"
                    + FlipCheckProfile.FLEET + "', 'back-from-an-outage', 'dual-write', 'both-required', 1, now())");
            target.rollback();

            Response answer = cutover.get(30, TimeUnit.SECONDS);
            assertEquals(409, answer.statusCode(), answer.asString());
            assertTrue(answer.asString().contains("called off: replica back-from-an-outage became live during the "
                    + "pause without holding it"), answer.asString());
            assertEquals("dual-write", migration.phase().configName(), "nothing changed");
        } finally {
            source.query("delete from exodus.replicas where fleet = '" + FlipCheckProfile.FLEET
                    + "' and replica = 'back-from-an-outage'");
        }
    }

    /**
     * Whether, within 30 s, the cutover waits for the lock on the target's sequence. Before its pause it looks through
     * every database of both shared servers (the gates, the connections for the sequences): the other test classes
     * leave many, and a loaded machine took over 10 s for that.
     */
    private static boolean waitingForTheSequence() throws Exception {
        Psql target = Psql.against(DualWriteDatabases.target(DATABASE));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!"0".equals(target.query("select count(*) from pg_locks where not granted "
                    + "and relation = 'items_id_seq'::regclass"))) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
