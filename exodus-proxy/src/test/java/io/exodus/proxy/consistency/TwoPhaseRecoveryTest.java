package io.exodus.proxy.consistency;

import io.exodus.proxy.migration.Side;
import static io.exodus.proxy.consistency.TwoPhaseServers.await;
import static io.exodus.proxy.consistency.TwoPhaseServers.execute;
import static io.exodus.proxy.consistency.TwoPhaseServers.failureOf;
import static io.exodus.proxy.consistency.TwoPhaseServers.prepare;
import static io.exodus.proxy.consistency.TwoPhaseServers.prepared;
import static io.exodus.proxy.consistency.TwoPhaseServers.primary;
import static io.exodus.proxy.consistency.TwoPhaseServers.secondary;
import static io.exodus.proxy.consistency.TwoPhaseServers.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.embedded.EmbeddedDatabases;
import io.exodus.proxy.health.TwoPhaseRecoveryReadiness;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;

/** The start-up of a proxy under the two-phase-commit policy, with the bean built from configuration by hand. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoPhaseRecoveryTest {

    private static final String DATABASE = "exodus_2pc_startup";
    private static final String TABLE = "exodus_2pc_startup_rows";

    private static Vertx vertx;
    private TwoPhaseRecovery recovery;

    @BeforeAll
    static void createTheDatabases() throws SQLException {
        TwoPhaseServers.createDatabaseOnBoth(DATABASE);
        for (var server : List.of(primary(), secondary())) {
            execute(server, DATABASE, "CREATE TABLE " + TABLE + " (id int PRIMARY KEY)");
        }
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopTheBean() throws SQLException {
        if (recovery != null) {
            recovery.stop();
        }
        TwoPhaseServers.rollBackEverythingPrepared(DATABASE);
    }

    @AfterAll
    static void dropTheDatabases() throws Exception {
        if (vertx != null) {
            await(vertx.close());
        }
        TwoPhaseServers.dropDatabaseOnBoth(DATABASE);
    }

    @Test
    void aRestartedProxyCommitsWhatItsPrimaryCommittedBeforeItServes() throws Exception {
        recovery = recovery("two-phase-commit", true);
        String gid = recovery.globalTransactionIds().next(Side.SOURCE);
        await(recovery.commitDecisionLog().ensure(Side.SOURCE, DATABASE));
        prepare(primary(), DATABASE, gid, "INSERT INTO " + TABLE + " VALUES (1)", CommitDecisionLog.recordSql(gid));
        prepare(secondary(), DATABASE, gid, "INSERT INTO " + TABLE + " VALUES (1)");
        execute(primary(), DATABASE, "COMMIT PREPARED '" + gid + "'");
        assertFalse(recovery.recovered());
        assertEquals(HealthCheckResponse.Status.DOWN, new TwoPhaseRecoveryReadiness(recovery).call().getStatus());

        await(recovery.beforeServing());

        assertTrue(recovery.recovered());
        assertEquals(HealthCheckResponse.Status.UP, new TwoPhaseRecoveryReadiness(recovery).call().getStatus());
        assertEquals(Set.of(), prepared(secondary(), DATABASE));
        assertEquals(Set.of("1"), strings(secondary(), DATABASE, "SELECT id FROM " + TABLE));
        assertEquals("rt_startup", recovery.globalTransactionIds().proxyId());
        assertEquals(1, recovery.recovered(Side.TARGET, true), "counted for exodus.twophase.recovered");
        assertEquals(0, recovery.recovered(Side.SOURCE, false) + recovery.recovered(Side.TARGET, false));
    }

    @Test
    void theSweepFinishesOrphansOfOtherProxiesAndPurgesOldDecisions() throws Exception {
        recovery = recovery("two-phase-commit", true);
        await(recovery.commitDecisionLog().ensure(Side.SOURCE, DATABASE));
        await(recovery.beforeServing());
        String orphan = new GlobalTransactionIds("rt-dead").next(Side.SOURCE);
        prepare(primary(), DATABASE, orphan, "INSERT INTO " + TABLE + " VALUES (2)", CommitDecisionLog.recordSql(orphan));
        prepare(secondary(), DATABASE, orphan, "INSERT INTO " + TABLE + " VALUES (2)");
        execute(primary(), DATABASE, "COMMIT PREPARED '" + orphan + "'",
                "INSERT INTO exodus.commit_decisions VALUES ('exodus_rt_dead_1', now() - interval '1 day')");

        long committedBefore = recovery.recovered(Side.TARGET, true);
        await(recovery.sweep());

        assertEquals(Set.of(), prepared(secondary(), DATABASE));
        assertEquals(committedBefore + 1, recovery.recovered(Side.TARGET, true), "the sweep's work is counted too");
        assertTrue(strings(secondary(), DATABASE, "SELECT id FROM " + TABLE).contains("2"));
        assertEquals(Set.of(orphan), strings(primary(), DATABASE,
                "SELECT gid FROM exodus.commit_decisions WHERE gid LIKE 'exodus_rt_dead%'"));
    }

    @Test
    void anotherPolicyNeedsNoRecovery() throws Exception {
        recovery = recovery("both-required", true);

        assertFalse(recovery.required());
        assertTrue(recovery.recovered());
        await(recovery.beforeServing());
        assertEquals(HealthCheckResponse.Status.UP, new TwoPhaseRecoveryReadiness(recovery).call().getStatus());
    }

    @Test
    void aChangeToTwoPhaseCommitAtRunTimeChecksTheServersAndStartsTheSweep() throws Exception {
        recovery = recovery("best-effort", true);
        await(recovery.beforeServing());
        String orphan = new GlobalTransactionIds("rt-dead").next(Side.SOURCE);
        prepare(primary(), DATABASE, orphan, "INSERT INTO " + TABLE + " VALUES (3)");

        await(recovery.activate());
        await(recovery.sweep());

        assertEquals(Set.of(), prepared(primary(), DATABASE), "rolled back: no decision was made");
    }

    @Test
    void twoPhaseCommitWithoutATargetIsRefused() throws Exception {
        recovery = recovery("two-phase-commit", false);

        String message = failureOf(recovery.beforeServing()).getMessage();

        assertTrue(message.contains("no target is configured: set exodus.target.url"), message);
        assertFalse(recovery.recovered());
    }

    private static TwoPhaseRecovery recovery(String policy, boolean withTarget) {
        ExodusConfig config = config(policy, withTarget);
        return new TwoPhaseRecovery(vertx, config, new BackendEndpoints(config, new EmbeddedDatabases()),
                new MigrationState(config));
    }

    private static ExodusConfig config(String policy, boolean withTarget) {
        Map<String, String> properties = new HashMap<>();
        properties.put("exodus.source.url", ConnectionTarget.superuser(primary()).withDatabase(DATABASE).url());
        if (withTarget) {
            properties.put("exodus.target.url", ConnectionTarget.superuser(secondary()).withDatabase(DATABASE).url());
        }
        properties.put("exodus.migration.phase", "dual-write");
        properties.put("exodus.migration.policy", policy);
        properties.put("exodus.migration.proxy-id", "RT-startup");
        properties.put("exodus.migration.orphan-timeout", "0s");
        return new SmallRyeConfigBuilder()
                .withMapping(ExodusConfig.class)
                // "30s" is Quarkus' way of writing a Duration, not the plain JDK's.
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build()
                .getConfigMapping(ExodusConfig.class);
    }
}
