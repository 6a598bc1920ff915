package io.exodus.proxy.dualwrite;

import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.QueryMode;
import io.exodus.testsupport.TableComparison;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A proxy on the databases' host may reach them over their Unix-domain sockets ({@code ?host=/folder}, as libpq):
 * dual-write, its control connections (commit markers, replay queue) and pgbench all work there, and the backends
 * really are socket sessions (PostgreSQL reports client_port -1 for them).
 */
@QuarkusTest
@TestProfile(UnixSocketProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class UnixSocketBackendsTest {
    private static final String DATABASE = "dw_unix_socket";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @BeforeAll
    static void createTablesOnBothSides() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        Pgbench.against(DualWriteDatabases.source(DATABASE)).initialize(1).requireSuccess();
        Pgbench.against(DualWriteDatabases.target(DATABASE)).initialize(1).requireSuccess();
    }

    @Test
    void bothLegsAreSocketSessionsAndWritesReachBoth() throws Exception {
        ConnectionTarget proxy = DualWriteDatabases.proxy(port, DATABASE);
        try (Connection client = DualWriteDatabases.open(proxy); Statement statement = client.createStatement()) {
            statement.execute("create temp table t (x int)");
            statement.execute("update pgbench_branches set bbalance = bbalance + 1 where bid = 1");
            try (ResultSet row = statement.executeQuery(
                    "select client_addr is null, client_port from pg_stat_activity where pid = pg_backend_pid()")) {
                assertTrue(row.next());
                assertTrue(row.getBoolean(1), "the source leg has no client address: it is a socket session");
                assertEquals(-1, row.getInt(2));
            }
            assertEquals(1, socketSessionsOnTarget(), "the target leg of this session, over the socket too");
        }
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                TableComparison.PGBENCH_TABLES);
    }

    @Test
    void pgbenchThroughSocketBackendsLeavesBothDatabasesIdentical() throws Exception {
        ConnectionTarget proxy = DualWriteDatabases.proxy(port, DATABASE);
        PgbenchResult result = Pgbench.against(proxy)
                .run(QueryMode.PREPARED, 4, 2, Duration.ofSeconds(5), BuiltinScript.TPCB_LIKE).requireSuccess();
        assertTrue(result.processedTransactions().orElse(0) > 0, result.stdout());
        assertEquals(0, result.failedTransactions().orElse(0), result.stdout());
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                TableComparison.PGBENCH_TABLES);
    }

    /** Sessions on the target's test database that came over the socket and are not Exodus' control connections. */
    private static int socketSessionsOnTarget() throws Exception {
        try (Connection target = DualWriteDatabases.target(DATABASE).openJdbc();
                Statement statement = target.createStatement();
                ResultSet count = statement.executeQuery("select count(*) from pg_stat_activity where datname = '"
                        + DATABASE + "' and client_port = -1 and application_name <> 'exodus-control'")) {
            count.next();
            return count.getInt(1);
        }
    }
}
