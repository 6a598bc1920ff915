package io.exodus.proxy.session;

import io.exodus.proxy.consistency.ConsistencyPolicy;
import io.exodus.proxy.routing.MigrationState;
import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration Exodus exists for: a source on one PostgreSQL major version (the shared 15) and a target on a newer
 * one (17). pgbench and rows whose values the source draws (bigserial, now(), gen_random_uuid(), random()) end up
 * identical on both, under each policy that writes to the target as the transaction runs.
 */
@QuarkusTest
@TestProfile(NewerTargetProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class CrossVersionDualWriteTest {
    private static final String DATABASE = "dw_cross_version";
    private static final String[] TABLES = { "pgbench_accounts", "pgbench_branches", "pgbench_tellers",
            "pgbench_history", "drawn_values" };

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createTheSchemaOnBothVersions() throws Exception {
        for (ConnectionTarget server : new ConnectionTarget[] { DualWriteDatabases.source(TestUsers.DEFAULT_DATABASE),
                newerTarget(TestUsers.DEFAULT_DATABASE) }) {
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + DATABASE + " with (force)");
                statement.execute("create database " + DATABASE);
            }
        }
        for (ConnectionTarget server : new ConnectionTarget[] { source(), newerTarget(DATABASE) }) {
            Pgbench.against(server).initialize(1).requireSuccess();
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute("create table drawn_values (id bigserial primary key, at timestamptz default now(), "
                        + "u uuid default gen_random_uuid(), r float8 default random(), note text)");
            }
        }
    }

    @AfterEach
    void backToDefaultPolicy() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    @ParameterizedTest
    @EnumSource(value = ConsistencyPolicy.class, names = { "BOTH_REQUIRED", "TWO_PHASE_COMMIT" })
    void bothVersionsEndIdentical(ConsistencyPolicy policy) throws Exception {
        assertTrue(versionNumber(source()) < 160000 && versionNumber(newerTarget(DATABASE)) >= 170000,
                "a 15 source and a 17 target");
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
        TableComparison.assertIdentical(source(), newerTarget(DATABASE), TABLES);
    }

    private static ConnectionTarget source() {
        return DualWriteDatabases.source(DATABASE);
    }

    private static ConnectionTarget newerTarget(String database) {
        return ConnectionTarget.local(NewerTargetProfile.port(), TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                database);
    }

    private static int versionNumber(ConnectionTarget server) throws SQLException {
        try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("show server_version_num")) {
            row.next();
            return Integer.parseInt(row.getString(1));
        }
    }
}
