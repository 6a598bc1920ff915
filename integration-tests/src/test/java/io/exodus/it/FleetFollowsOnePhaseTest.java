package io.exodus.it;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.FreePorts;
import io.exodus.testsupport.ProxyProcess;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas of the proxy in one fleet: a phase change made through one reaches the other within the change's
 * apply timeout (1 s here), and a session already open on the other follows it, so that its next write reaches the
 * target too.
 */
class FleetFollowsOnePhaseTest {
    private static final String DATABASE = "it_fleet_phase";
    private static final String TOKEN = "fleet-token";

    @BeforeAll
    static void createDatabaseOnBothServers() {
        for (var server : new io.exodus.localpg.LocalPostgres[] { TestDatabases.source(), TestDatabases.target() }) {
            Support.executeDirect(server, "drop database if exists " + DATABASE + " with (force)");
            Support.executeDirect(server, "create database " + DATABASE);
        }
        for (var server : new io.exodus.localpg.LocalPostgres[] { TestDatabases.source(), TestDatabases.target() }) {
            Support.executeDirect(ConnectionTarget.superuser(server).withDatabase(DATABASE),
                    "create table events (id int primary key, via text)");
        }
    }

    @AfterAll
    static void dropDatabaseOnBothServers() {
        for (var server : new io.exodus.localpg.LocalPostgres[] { TestDatabases.source(), TestDatabases.target() }) {
            Support.executeDirect(server, "drop database if exists " + DATABASE + " with (force)");
        }
    }

    @Test
    void aPhaseChangeThroughOneReplicaReachesTheOtherAndItsOpenSessions() throws Exception {
        String fleet = "it-fleet-" + System.nanoTime();
        int portA = FreePorts.pick();
        int portB = FreePorts.pick();
        int httpA = FreePorts.pick();
        try (ProxyProcess a = Support.startProxyOnTestDatabases(portA, replica(fleet, "fleet_a", httpA));
                ProxyProcess b = Support.startProxyOnTestDatabases(portB, replica(fleet, "fleet_b", FreePorts.pick()));
                Connection onB = ConnectionTarget.local(portB, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                        DATABASE).openJdbc();
                Statement statement = onB.createStatement()) {
            statement.execute("insert into events values (1, 'replica b, phase direct')");
            assertTrue(Support.await(Duration.ofSeconds(10), () -> Support.queryLong(TestDatabases.source(),
                    "select count(*) from exodus.replicas where fleet = '" + fleet + "'") == 2),
                    "both replicas report themselves");

            Support.HttpAnswer changed = Support.put(httpA, "/exodus/migration/phase", TOKEN,
                    "{\"phase\": \"dual-write\", \"reason\": \"integration test\"}");
            assertEquals(200, changed.status(), changed.body());
            String body = changed.body().replace(" ", "");
            assertTrue(body.contains("\"appliedBy\":[\"fleet_a\",\"fleet_b\"]") && body.contains("\"pending\":[]"),
                    "both replicas applied it within 1 s: " + changed.body());

            statement.execute("insert into events values (2, 'replica b, the session open before the change')");
            try (Connection onA = ConnectionTarget.local(portA, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                    DATABASE).openJdbc(); Statement throughA = onA.createStatement()) {
                throughA.execute("insert into events values (3, 'replica a, a new session')");
            }
        }
        ConnectionTarget target = ConnectionTarget.superuser(TestDatabases.target()).withDatabase(DATABASE);
        assertEquals(2, Support.queryLong(target, "select count(*) from events where id in (2, 3)"));
        assertEquals(0, Support.queryLong(target, "select count(*) from events where id = 1"));
    }

    private static Map<String, String> replica(String fleet, String id, int httpPort) {
        Map<String, String> environment = new HashMap<>();
        environment.put("EXODUS_CONTROL_ENABLED", "true");
        environment.put("EXODUS_CONTROL_FLEET", fleet);
        environment.put("EXODUS_CONTROL_APPLY_TIMEOUT", "1s");
        environment.put("EXODUS_MIGRATION_PHASE", "direct");
        environment.put("EXODUS_MIGRATION_PROXY_ID", id);
        environment.put("EXODUS_ADMIN_TOKEN", TOKEN);
        environment.put("EXODUS_TLS_MODE", "disable");
        environment.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        return environment;
    }
}
