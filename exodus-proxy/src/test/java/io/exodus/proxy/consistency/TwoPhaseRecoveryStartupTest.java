package io.exodus.proxy.consistency;

import io.exodus.proxy.migration.Side;
import io.exodus.proxy.backend.ControlConnections;

import static io.exodus.proxy.consistency.TwoPhaseServers.await;
import static io.exodus.proxy.consistency.TwoPhaseServers.endpoint;
import static io.exodus.proxy.consistency.TwoPhaseServers.execute;
import static io.exodus.proxy.consistency.TwoPhaseServers.prepare;
import static io.exodus.proxy.consistency.TwoPhaseServers.prepared;
import static io.exodus.proxy.consistency.TwoPhaseServers.primary;
import static io.exodus.proxy.consistency.TwoPhaseServers.secondary;
import static io.exodus.proxy.consistency.TwoPhaseServers.strings;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.exodus.testsupport.PostgresPairResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;

/**
 * A proxy started under the two-phase-commit policy finishes what it left prepared when it was killed before it
 * reports ready: the application's own wiring, configuration and health check.
 */
@QuarkusTest
@TestProfile(TwoPhaseRecoveryStartupTest.TwoPhaseCommit.class)
@QuarkusTestResource(PostgresPairResource.class)
class TwoPhaseRecoveryStartupTest {

    private static final String DATABASE = "exodus_2pc_quarkus";
    private static final String TABLE = "exodus_2pc_quarkus_rows";
    private static final String PROXY_ID = "rt-quarkus";

    public static class TwoPhaseCommit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("exodus.migration.phase", "dual-write", "exodus.migration.policy", "two-phase-commit",
                    "exodus.migration.proxy-id", PROXY_ID);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KilledBetweenTheCommits.class));
        }
    }

    /** Before the proxy starts: what the same proxy id left behind when killed after each step of a commit. */
    public static class KilledBetweenTheCommits implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                TwoPhaseServers.createDatabaseOnBoth(DATABASE);
                for (var server : List.of(primary(), secondary())) {
                    execute(server, DATABASE, "CREATE TABLE " + TABLE + " (id int PRIMARY KEY)");
                }
                Vertx vertx = Vertx.vertx();
                try (ControlConnections connections = new ControlConnections(vertx)) {
                    await(new CommitDecisionLog(connections, endpoint("source", primary(), DATABASE),
                            endpoint("target", secondary(), DATABASE)).ensure(Side.SOURCE, DATABASE));
                } finally {
                    await(vertx.close());
                }
                GlobalTransactionIds ids = new GlobalTransactionIds(PROXY_ID);
                String committed = ids.next(Side.SOURCE);
                prepareOnBoth(committed, 1);
                execute(primary(), DATABASE, "COMMIT PREPARED '" + committed + "'");
                prepareOnBoth(ids.next(Side.SOURCE), 2);
                return Map.of();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static void prepareOnBoth(String gid, int id) throws Exception {
            String insert = "INSERT INTO " + TABLE + " VALUES (" + id + ")";
            prepare(primary(), DATABASE, gid, insert, CommitDecisionLog.recordSql(gid));
            prepare(secondary(), DATABASE, gid, insert);
        }

        @Override
        public void stop() {
            try {
                TwoPhaseServers.dropDatabaseOnBoth(DATABASE);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Inject
    TwoPhaseRecovery recovery;

    @Test
    void theProxyIsReadyOnlyAfterItsInDoubtTransactionsAreFinished() throws Exception {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("two-phase-recovery"));
        assertTrue(recovery.recovered());
        assertEquals("rt_quarkus", recovery.globalTransactionIds().proxyId());
        assertEquals(Set.of(), prepared(primary(), DATABASE));
        assertEquals(Set.of(), prepared(secondary(), DATABASE));
        assertEquals(Set.of("1"), strings(primary(), DATABASE, "SELECT id FROM " + TABLE));
        assertEquals(Set.of("1"), strings(secondary(), DATABASE, "SELECT id FROM " + TABLE));
    }
}
