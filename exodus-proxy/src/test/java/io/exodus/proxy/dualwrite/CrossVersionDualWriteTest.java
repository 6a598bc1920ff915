package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.monitoring.ReplicationLag;
import io.exodus.proxy.monitoring.ReplicationLagProbe;
import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PhysicalStandby;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.exodus.proxy.dualwrite.DualWriteDatabases.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration Exodus exists for, at its widest: a source on the oldest PostgreSQL major version Exodus supports (13)
 * and a target on the newest (17). pgbench and rows whose values the source draws (bigserial, now(),
 * gen_random_uuid(), random()) end up identical on both under each policy that writes to the target as the
 * transaction runs; what the target misses waits in the replay queue on the old source and reaches the new target;
 * and the old source's standbys are reported with their lag.
 */
@QuarkusTest
@TestProfile(CrossVersionProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class CrossVersionDualWriteTest {
    private static final String DATABASE = "dw_cross_version";
    private static final String[] TABLES = { "pgbench_accounts", "pgbench_branches", "pgbench_tellers",
            "pgbench_history", "drawn_values" };
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    ReplicationLagProbe replicationLag;

    @BeforeAll
    static void createTheSchemaOnBothVersions() throws Exception {
        for (ConnectionTarget server : new ConnectionTarget[] { olderSource(TestUsers.DEFAULT_DATABASE),
                newerTarget(TestUsers.DEFAULT_DATABASE) }) {
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                // DROP DATABASE … WITH (FORCE) is 13's too; the servers outlive a test run only within one JVM.
                statement.execute("drop database if exists " + DATABASE + " with (force)");
                statement.execute("create database " + DATABASE);
                // Durable commits, as on a real server: the test stops the target as a crash would, and the test
                // servers otherwise run synchronous_commit off, which loses the last acknowledged commits then.
                statement.execute("alter database " + DATABASE + " set synchronous_commit = on");
            }
        }
        for (ConnectionTarget server : new ConnectionTarget[] { olderSource(DATABASE), newerTarget(DATABASE) }) {
            Pgbench.against(server).initialize(1).requireSuccess();
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute("create table drawn_values (id bigserial primary key, at timestamptz default now(), "
                        + "u uuid default gen_random_uuid(), r float8 default random(), note text)");
            }
        }
    }

    @AfterEach
    void targetUpAndDefaultPolicy() throws Exception {
        CrossVersionProfile.newerTarget().start();
        CatchUpDrain.await(PATIENCE);
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    @ParameterizedTest
    @EnumSource(value = ConsistencyPolicy.class, names = { "BOTH_REQUIRED", "TWO_PHASE_COMMIT" })
    void bothVersionsEndIdentical(ConsistencyPolicy policy) throws Exception {
        assertEquals(13, majorVersion(olderSource(DATABASE)), "the source");
        assertEquals(17, majorVersion(newerTarget(DATABASE)), "the target");
        migration.changePolicy(policy);
        ConnectionTarget proxy = DualWriteDatabases.proxy(port, DATABASE);
        try (Connection client = DualWriteDatabases.open(proxy); Statement statement = client.createStatement()) {
            statement.execute("insert into drawn_values (note) select 'row ' || g from generate_series(1, 50) g");
            client.setAutoCommit(false);
            statement.execute("insert into drawn_values (note) values ('in a transaction')");
            statement.execute("update drawn_values set note = note || ' updated' where id % 7 = 0");
            client.commit();
        }
        PgbenchResult result = Pgbench.against(proxy)
                .run(QueryMode.EXTENDED, 4, 2, Duration.ofSeconds(4), BuiltinScript.TPCB_LIKE).requireSuccess();
        assertTrue(result.processedTransactions().orElse(0) > 0, result.stdout());
        assertEquals(0, result.failedTransactions().orElse(0), result.stdout());
        TableComparison.assertIdentical(olderSource(DATABASE), newerTarget(DATABASE), TABLES);
    }

    @Test
    void whatTheNewTargetMissedWaitsInTheOldSourcesQueueAndReachesItOnce() throws Exception {
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            statement.execute("insert into drawn_values (note) values ('before the target stops')");
            CrossVersionProfile.newerTarget().stopImmediately();
            statement.execute("insert into drawn_values (note) select 'queued ' || g from generate_series(1, 20) g");
            client.setAutoCommit(false);
            statement.execute("update drawn_values set note = note || ' and updated' where note like 'queued %'");
            statement.execute("delete from drawn_values where note = 'before the target stops'");
            client.commit();
        }
        assertTrue(count(olderSource(DATABASE), "select count(*) from exodus.replay_queue") >= 2,
                "both transactions wait on the source");

        CrossVersionProfile.newerTarget().start();
        CatchUpDrain.await(PATIENCE);
        TableComparison.assertIdentical(olderSource(DATABASE), newerTarget(DATABASE), TABLES);
        assertEquals(20, count(newerTarget(DATABASE),
                "select count(*) from drawn_values where note like 'queued % and updated'"), "each applied once");
    }

    @Test
    void aStandbyOfTheOldSourceIsReportedWithItsLag() throws Exception {
        String name = "exodus_old_source_standby";
        try (PhysicalStandby standby = PhysicalStandby.of(CrossVersionProfile.olderSource(), name)) {
            assertEquals(13, majorVersion(ConnectionTarget.superuser(standby.server())), "a standby of the 13 source");
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            Optional<ReplicationLag> lag = Optional.empty();
            while (lag.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "not reported within " + PATIENCE + ": "
                        + replicationLag.latest());
                Thread.sleep(200);
                lag = replicationLag.latest().getOrDefault("source", List.of()).stream()
                        // A standby that has just connected is reported before its replay position is known (bytes
                        // null for a reading or two): wait for a reading with both.
                        .filter(reported -> reported.kind() == ReplicationLag.Kind.CONNECTION
                                && reported.name().equals(name) && reported.seconds() != null
                                && reported.bytes() != null)
                        .findFirst();
            }
            assertTrue(lag.get().seconds() >= 0 && lag.get().bytes() != null && lag.get().bytes() >= 0,
                    lag.get().toString());
        }
    }

    private static ConnectionTarget olderSource(String database) {
        return ConnectionTarget.superuser(CrossVersionProfile.olderSource()).withDatabase(database);
    }

    private static ConnectionTarget newerTarget(String database) {
        return ConnectionTarget.superuser(CrossVersionProfile.newerTarget()).withDatabase(database);
    }

    private static int majorVersion(ConnectionTarget server) throws SQLException {
        return (int) count(server, "select current_setting('server_version_num')::int / 10000");
    }

}
