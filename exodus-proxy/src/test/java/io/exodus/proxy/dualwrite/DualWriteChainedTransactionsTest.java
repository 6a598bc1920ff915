package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code COMMIT AND CHAIN} and {@code ROLLBACK AND CHAIN} through dual-write: the chained transaction exists on both
 * databases with the ended one's modes, its writes reach both, and a session sees what it would see directly.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteChainedTransactionsTest {
    private static final String DATABASE = "dw_chained";
    private static final String DIRECTLY = "dw_chained_direct";
    private static final String SCHEMA = "create table chained (id int primary key, note text, "
            + "parent int references chained(id) deferrable initially deferred)";

    /** Every outcome of a chained end, as psql shows it: the statements, their tags, errors and settings. */
    private static final String SCRIPT = """
            begin isolation level repeatable read;
            insert into chained values (1, 'before the chain');
            commit and chain;
            show transaction_isolation;
            insert into chained values (2, 'in the chained transaction');
            commit;
            begin isolation level serializable read write;
            insert into chained values (3, 'rolled back');
            rollback and chain;
            show transaction_isolation;
            insert into chained values (4, 'after rollback and chain');
            end and chain;
            insert into chained values (5, 'chained twice');
            commit and no chain;
            insert into chained values (6, 'autocommit');
            begin;
            insert into chained values (7, 'a deferred constraint fails at commit', 99);
            commit and chain;
            insert into chained values (8, 'no chain after a failed commit');
            begin isolation level repeatable read;
            select 1 / 0;
            commit and chain;
            insert into chained values (9, 'after the chained end of an aborted transaction');
            commit;
            begin isolation level repeatable read read write deferrable;
            insert into chained values (10, 'before a chain and a failure');
            commit and chain;
            select 1 / 0;
            commit and chain;
            show transaction_isolation;
            show transaction_deferrable;
            commit;
            select id, note from chained order by id;
            """;

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    DivergenceLog divergences;

    @BeforeAll
    static void createDatabases() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
        DualWriteDatabases.onBoth(DATABASE, SCHEMA);
        DualWriteDatabases.recreate(DIRECTLY);
        DualWriteDatabases.onBoth(DIRECTLY, SCHEMA);
    }

    @UnderPoliciesPromisingBoth
    void aScriptOfChainedEndsLooksAsItDoesDirectlyAndLeavesBothSidesIdentical(ConsistencyPolicy policy)
            throws Exception {
        migration.changePolicy(policy);
        DualWriteDatabases.onBoth(DATABASE, "truncate chained");
        DualWriteDatabases.onBoth(DIRECTLY, "truncate chained");
        double before = divergences.total();
        CommandResult direct = psql(DualWriteDatabases.primary(DIRECTLY));
        CommandResult through = psql(DualWriteDatabases.proxy(port, DATABASE));
        assertEquals(direct.stdout(), through.stdout(), "stdout through Exodus, against directly");
        assertEquals(direct.stderr(), through.stderr(), "errors and warnings through Exodus, against directly");
        assertEquals("2|in the chained transaction", Psql.against(DualWriteDatabases.secondary(DATABASE))
                .query("select id, note from chained where id = 2"), "the chained transaction's write on the secondary");
        DualWriteDatabases.assertIdentical(DATABASE, "chained");
        assertEquals(before, divergences.total(), "no divergence");
    }

    /** pgJDBC sends the chained end through the extended protocol and keeps its own idea of the transaction. */
    @UnderPoliciesPromisingBoth
    void aDriverChainsThroughTheExtendedProtocol(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        DualWriteDatabases.onBoth(DATABASE, "truncate chained");
        try (Connection client = DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE));
                Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            client.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            statement.execute("insert into chained values (10, 'first')");
            statement.execute("commit and chain");
            statement.execute("insert into chained values (11, 'chained')");
            try (ResultSet isolation = statement.executeQuery("show transaction_isolation")) {
                isolation.next();
                assertEquals("repeatable read", isolation.getString(1));
            }
            statement.execute("commit and chain");
            statement.execute("insert into chained values (12, 'rolled back')");
            statement.execute("rollback and chain");
            statement.execute("insert into chained values (13, 'after the rollback')");
            client.commit();
        }
        DualWriteDatabases.assertIdentical(DATABASE, "chained");
        try (Connection secondary = DualWriteDatabases.open(DualWriteDatabases.secondary(DATABASE));
                Statement statement = secondary.createStatement();
                ResultSet ids = statement.executeQuery("select string_agg(id::text, ',' order by id) from chained")) {
            ids.next();
            assertEquals("10,11,13", ids.getString(1));
        }
    }

    private static CommandResult psql(ConnectionTarget target) {
        return Psql.against(target).run(List.of("-v", "ON_ERROR_STOP=0", "-a"), SCRIPT);
    }
}
