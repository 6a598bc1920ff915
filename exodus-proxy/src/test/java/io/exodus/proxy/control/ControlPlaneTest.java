package io.exodus.proxy.control;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.TestDatabases;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet's state in the source's control database: a change through one replica is written with its audit row and
 * reaches every replica (by notification, or by the poll when a notification is lost); the answer says which live
 * replicas applied it.
 */
@QuarkusTest
@TestProfile(ControlPlaneProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneTest {
    private static final String FLEET = ControlPlaneProfile.FLEET;

    @Inject
    MigrationState migration;

    @Inject
    ControlPlane controlPlane;

    @Test
    @Order(1)
    void theFirstReplicaBringsItsStateAndReportsItselfAlive() {
        // The canary share configured for phase canary, not the 0 % that phase direct reads with.
        assertEquals("direct|both-required|10|1", control().query("select phase || '|' || policy || '|' "
                + "|| canary_percent || '|' || version from exodus.control_state where fleet = '" + FLEET + "'"));
        awaitTrue(() -> control().query("select count(*) from exodus.replicas where fleet = '" + FLEET
                + "' and replica = 'replica-a' and last_seen > now() - interval '5 seconds'").equals("1"),
                Duration.ofSeconds(5));
        given().header("Authorization", "Bearer " + ControlPlaneProfile.TOKEN).get("/exodus/migration").then()
                .statusCode(200).body("primary", equalTo("source"))
                .body("control.fleet", equalTo(FLEET))
                .body("replicas.id", hasItem("replica-a"));
    }

    @Test
    @Order(2)
    void aChangeIsAuditedAndAnsweredOnceEveryLiveReplicaAppliedIt() {
        given().header("Authorization", "Bearer " + ControlPlaneProfile.TOKEN).header("X-Exodus-Actor", "alice")
                .contentType("application/json").body("{\"phase\": \"dual-write\", \"reason\": \"sync done\"}")
                .put("/exodus/migration/phase").then().statusCode(200)
                .body("phase", equalTo("dual-write"))
                .body("appliedBy", contains("replica-a"))
                .body("pending", empty());
        assertEquals(MigrationPhase.DUAL_WRITE, migration.phase());
        assertEquals("alice|phase|direct|dual-write|sync done", control().query("select who || '|' || what || '|' "
                + "|| from_value || '|' || to_value || '|' || why from exodus.control_audit where fleet = '" + FLEET
                + "' order by id desc limit 1"));
    }

    @Test
    @Order(3)
    void aChangeMadeThroughAnotherReplicaArrivesByNotification() {
        control().query("begin; update exodus.control_state set policy = 'best-effort', version = version + 1 "
                + "where fleet = '" + FLEET + "'; select pg_notify('exodus_control', '" + FLEET + "'); commit");
        // Within 1 s, where the poll comes every 3 s.
        awaitTrue(() -> migration.policy() == ConsistencyPolicy.BEST_EFFORT, Duration.ofSeconds(1));
    }

    @Test
    @Order(4)
    void aChangeWhoseNotificationWasLostArrivesByThePoll() {
        control().query("update exodus.control_state set phase = 'direct', version = version + 1 where fleet = '"
                + FLEET + "'");
        awaitTrue(() -> migration.phase() == MigrationPhase.DIRECT, Duration.ofSeconds(7));
    }

    @Test
    @Order(5)
    void aLiveReplicaThatDidNotApplyTheChangeIsNamedInTheAnswer() {
        control().query("insert into exodus.replicas values ('" + FLEET + "', 'replica-stuck', 'direct', "
                + "'both-required', 1, now())");
        given().header("Authorization", "Bearer " + ControlPlaneProfile.TOKEN).contentType("application/json")
                .body("{\"policy\": \"both-required\"}").put("/exodus/migration/policy").then().statusCode(200)
                .body("appliedBy", contains("replica-a"))
                .body("pending", contains("replica-stuck"));
        assertEquals(ConsistencyPolicy.BOTH_REQUIRED, migration.policy());
        assertEquals("admin API", control().query("select who from exodus.control_audit where fleet = '" + FLEET
                + "' order by id desc limit 1"));
    }

    /**
     * The databases the migration moves are fleet state like the phase: a change is audited, applied by every replica
     * and counted as a route change when the phase uses the target (a session on an added database starts mirroring).
     */
    @Test
    @Order(6)
    void theMigrationsDatabasesAreFleetStateAndCountAsARouteChangeInDualWrite() throws Exception {
        String routeChanges = "select route_changes from exodus.control_state where fleet = '" + FLEET + "'";
        long before = Long.parseLong(control().query(routeChanges));
        controlPlane.change(ControlSetting.DATABASES, "[\"app\"]", "initial sync", "it copied app alone")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(MigrationDatabases.of(List.of("app")), migration.databases());
        assertEquals(before, Long.parseLong(control().query(routeChanges)), "phase direct: no session moves");
        assertEquals("initial sync|databases|*|[\"app\"]", control().query("select who || '|' || what || '|' "
                + "|| from_value || '|' || to_value from exodus.control_audit where fleet = '" + FLEET
                + "' order by id desc limit 1"));
        given().header("Authorization", "Bearer " + ControlPlaneProfile.TOKEN).get("/exodus/migration").then()
                .statusCode(200).body("databases.all", equalTo(false)).body("databases.names", contains("app"));

        control().query("begin; update exodus.control_state set phase = 'dual-write', version = version + 1 "
                + "where fleet = '" + FLEET + "'; select pg_notify('exodus_control', '" + FLEET + "'); commit");
        awaitTrue(() -> migration.phase() == MigrationPhase.DUAL_WRITE, Duration.ofSeconds(5));
        long inDualWrite = Long.parseLong(control().query(routeChanges));
        controlPlane.change(ControlSetting.DATABASES, "*", "admin", "every database")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(MigrationDatabases.ALL, migration.databases());
        assertEquals(inDualWrite + 1, Long.parseLong(control().query(routeChanges)));
        controlPlane.change(ControlSetting.PHASE, "direct", "test", "back")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Psql control() {
        return Psql.against(ConnectionTarget.superuser(TestDatabases.source()));
    }

    private static void awaitTrue(BooleanSupplier condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + within);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
