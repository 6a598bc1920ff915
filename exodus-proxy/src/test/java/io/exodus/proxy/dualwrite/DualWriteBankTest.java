package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.BankRun;
import io.exodus.testsupport.BankWorkload;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.PreparedTransactions;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bank invariant through the dual-writing proxy under each policy: 16 clients move money between 100 accounts in
 * explicit transactions (some rolled back on purpose) and single autocommit statements; afterwards no money was made
 * or lost on either side, and source and target hold the same balances, account by account.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteBankTest {
    private static final String DATABASE = "dw_bank";
    private static final int CLIENTS = 16;
    private static final int TRANSFERS_PER_CLIENT = 22;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    /**
     * One login through the proxy before the 16 clients log in at once: the first logins of a fresh JVM (cold JIT,
     * empty SCRAM key cache) on a busy machine can outlast the workload's 10 s login timeout.
     */
    @BeforeEach
    void warmUpLogin() throws Exception {
        DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE)).close();
    }

    @AfterEach
    void backToDefaultPolicy() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ConsistencyPolicy.class)
    void concurrentTransfersKeepTheTotalAndLeaveBothDatabasesIdentical(ConsistencyPolicy policy) throws Exception {
        BankWorkload bank = new BankWorkload("bank_" + policy.name().toLowerCase(Locale.ROOT));
        bank.create(DualWriteDatabases.source(DATABASE));
        bank.create(DualWriteDatabases.target(DATABASE));
        migration.changePolicy(policy);

        BankRun run = bank.run(DualWriteDatabases.proxy(port, DATABASE), CLIENTS, TRANSFERS_PER_CLIENT)
                .requireNoFailures();

        assertEquals(CLIENTS * TRANSFERS_PER_CLIENT, run.transfers(), run.toString());
        assertTrue(run.committed() > 0, run.toString());
        assertTrue(run.rolledBack() > 0, "some transfers must be rolled back on purpose: " + run);
        assertEquals(bank.expectedTotal(), bank.total(DualWriteDatabases.source(DATABASE)), "total on the source");
        assertEquals(bank.expectedTotal(), bank.total(DualWriteDatabases.target(DATABASE)), "total on the target");
        DualWriteDatabases.assertIdentical(DATABASE, bank.table());
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.source(DATABASE)));
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.target(DATABASE)));
    }
}
