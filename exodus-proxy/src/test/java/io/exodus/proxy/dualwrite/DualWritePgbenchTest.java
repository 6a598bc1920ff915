package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.BuiltinScript;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.Pgbench;
import io.exodus.testsupport.PgbenchResult;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.PreparedTransactions;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pgbench TPC-B-like, 8 clients, through the dual-writing proxy, in each query mode under each policy: afterwards
 * every pgbench table is identical on source and target, row by row (pgbench_history's CURRENT_TIMESTAMP included).
 * Each of the 15 runs lasts 3 s (hundreds of transactions from 8 clients on 2 cores, so that every mode and policy
 * meets concurrent conflicting transfers): together they were the longest class of the suite at 6 s each, so
 * {@code -Dpgbench.seconds} lengthens them for a soak by hand rather than the suite paying for one.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWritePgbenchTest {
    private static final String DATABASE = "dw_pgbench";
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("pgbench.seconds", 3));

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createPgbenchTablesOnBothSides() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        Pgbench.against(DualWriteDatabases.source(DATABASE)).initialize(1).requireSuccess();
        Pgbench.against(DualWriteDatabases.target(DATABASE)).initialize(1).requireSuccess();
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                TableComparison.PGBENCH_TABLES);
    }

    @AfterEach
    void backToDefaultPolicy() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    static Stream<Arguments> policiesAndModes() {
        List<Arguments> cases = new ArrayList<>();
        for (ConsistencyPolicy policy : ConsistencyPolicy.values()) {
            for (QueryMode mode : QueryMode.values()) {
                cases.add(Arguments.of(policy, mode));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} -M {1}")
    @MethodSource("policiesAndModes")
    void tpcbLikeLeavesBothDatabasesIdentical(ConsistencyPolicy policy, QueryMode mode) throws Exception {
        migration.changePolicy(policy);
        ConnectionTarget proxy = ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD,
                DATABASE);
        PgbenchResult result = Pgbench.against(proxy).run(mode, 8, 2, RUN, BuiltinScript.TPCB_LIKE).requireSuccess();
        assertTrue(result.processedTransactions().orElse(0) > 0, result.stdout());
        assertEquals(0, result.failedTransactions().orElse(0), result.stdout());
        TableComparison.assertIdentical(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE),
                TableComparison.PGBENCH_TABLES);
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.source(DATABASE)));
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.target(DATABASE)));
    }
}
