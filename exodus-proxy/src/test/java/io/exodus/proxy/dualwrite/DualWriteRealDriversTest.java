package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.NodeClient;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.Psql;
import io.exodus.testsupport.PythonClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.postgresql.PGStatement;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real client libraries, as their users run them, through the dual-writing proxy under the policies that promise
 * both databases: postgres.js (whose first execution of every statement is Parse + Describe + Flush, then Bind +
 * Execute + Sync), node-postgres, psycopg 3 (server-side prepared statements, executemany, libpq's pipeline mode)
 * and pgJDBC. Each writes into a table whose key, timestamps and uuid the source draws; afterwards the target holds
 * exactly the rows the client wrote, identical to the source's value by value, and no divergence was recorded.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteRealDriversTest {
    private static final String DATABASE = "dw_real_drivers";
    private static final String TABLE = "written";
    /** A bigserial, two timestamps and a uuid the source draws: the target must get the source's values. */
    private static final String CREATE_TABLE = "create table " + TABLE + " (id bigserial primary key, n int not null,"
            + " note text, at timestamptz not null default clock_timestamp(), made timestamptz not null default now(),"
            + " uid uuid not null default gen_random_uuid())";
    private static final Path SCRIPTS = Path.of("src", "test", "resources", "clients");
    /** A client that stops answering fails its test instead of stalling the suite. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final String POSTGRES_JS = "postgres@3.4.10";
    private static final String NODE_POSTGRES = "pg@8.23.1";
    /** What postgresjs.js leaves, with prepared statements or without. */
    private static final List<String> POSTGRES_JS_ROWS = List.of("1|inserted 1 updated", "2|inserted 2 updated",
            "4|returning", "5|bulk", "6|bulk", "7|in a transaction updated", "8|in a transaction",
            "10|before a savepoint", "12|in a released savepoint", "13|after the transactions");

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    DivergenceLog divergences;

    private double divergencesBefore;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    @BeforeEach
    void emptyTable() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + TABLE);
        DualWriteDatabases.onBoth(DATABASE, CREATE_TABLE);
        divergencesBefore = divergences.total();
    }

    @AfterEach
    void backToDefaultPolicy() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    /**
     * postgres.js with its prepared statements: first executions (the Flush shape), re-executions, RETURNING, a
     * multi-row insert, writes that fail on their first and on a later execution, and {@code sql.begin}
     * transactions that commit, roll back, and roll back to a savepoint.
     */
    @UnderPoliciesPromisingBoth
    void postgresJsPreparedStatementsWriteBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        node().run(proxy(), SCRIPTS.resolve("postgresjs.js"), "prepared", TABLE).requireSuccess();
        assertTargetRows(POSTGRES_JS_ROWS);
    }

    /** The same with {@code prepare: false}: every statement unnamed, still described ahead of a Flush. */
    @UnderPoliciesPromisingBoth
    void postgresJsUnnamedStatementsWriteBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        node().run(proxy(), SCRIPTS.resolve("postgresjs.js"), "unprepared", TABLE).requireSuccess();
        assertTargetRows(POSTGRES_JS_ROWS);
    }

    /** node-postgres: unnamed and named statements, RETURNING, and transactions that commit, roll back and fail. */
    @UnderPoliciesPromisingBoth
    void nodePostgresUnnamedAndNamedStatementsWriteBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        node().run(proxy(), SCRIPTS.resolve("node-postgres.js"), TABLE).requireSuccess();
        assertTargetRows(List.of("1|unnamed 1 updated", "2|unnamed 2", "3|unnamed 3", "4|named 4 updated",
                "6|named 6", "7|returning", "8|in a transaction updated", "9|in a transaction",
                "13|after the transactions"));
    }

    /** psycopg 3: server-side prepared statements ({@code prepare=True}), executemany, commits and rollbacks. */
    @UnderPoliciesPromisingBoth
    void psycopgPreparedStatementsAndExecutemanyWriteBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        psycopg("prepared").requireSuccess();
        assertTargetRows(List.of("1|prepared 1 updated", "2|prepared 2 updated", "4|many updated",
                "5|many updated", "6|many", "7|many", "9|in a transaction block", "10|many in a transaction block",
                "11|many in a transaction block", "12|autocommit"));
    }

    /**
     * psycopg 3 in libpq's pipeline mode: writes, a result read inside the pipeline (a Flush request), and an error
     * inside a pipeline: what was synced before it stays, its own segment (an implicit transaction) is rolled back,
     * nothing after it up to the Sync runs on either side, and the connection goes on.
     */
    @UnderPoliciesPromisingBoth
    void psycopgPipelineWritesBothSidesAndAnErrorSkipsToTheSyncOnBoth(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        psycopg("pipeline").requireSuccess();
        assertTargetRows(List.of("1|pipelined 1 updated", "3|pipelined 3", "4|returning in a pipeline",
                "5|after a flush request", "6|synced before the error", "9|after the failed pipeline",
                "10|pipelined transaction updated", "11|pipelined transaction"));
    }

    /**
     * Several INSERTs in one simple Query (postgres.js's {@code .simple()}, {@code sql.unsafe} of a text with
     * semicolons, psql -c, migration scripts): each row on the target as the source drew it.
     */
    @UnderPoliciesPromisingBoth
    @Disabled("open (docs/GAPS.md): INSERTs of a multi-statement Query run as text on the target, which draws its "
            + "own defaults (listed for verification) and, its sequence never advanced by row images, collides")
    void postgresJsSeveralInsertsInOneSimpleQueryCopyTheSourcesValues(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        node().run(proxy(), SCRIPTS.resolve("postgresjs.js"), "simple", TABLE).requireSuccess();
        assertTargetRows(List.of("1|simple!", "2|simple", "3|unsafe", "4|after them"));
    }

    /** psycopg's statement cache evicting prepared writes: {@code DEALLOCATE _pg3_N} of statements that wrote. */
    @UnderPoliciesPromisingBoth
    void psycopgEvictingPreparedWritesFromItsCacheIsNoDivergence(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        psycopg("evicting").requireSuccess();
        assertTargetRows(List.of("1|text 1 1", "2|text 2 0", "3|text 0 1", "4|text 1 0", "5|text 2 1", "6|text 0 0",
                "7|text 1 1", "8|text 2 0"));
    }

    /**
     * INSERT … RETURNING of table-qualified columns, as SQLAlchemy renders every ORM insert whose key the server
     * draws ({@code RETURNING written.id}), after plain inserts: the target holds the source's keys, times and uuids.
     */
    @UnderPoliciesPromisingBoth
    void psycopgRowImageReturningQualifiedColumnsCopiesTheSourcesValues(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        psycopg("returning-qualified").requireSuccess();
        assertTargetRows(List.of("1|plain", "2|plain", "3|returning qualified", "4|returning qualified"));
    }

    /**
     * pgJDBC: a statement re-executed past prepareThreshold (from then on a named server-side statement), a batch,
     * generated keys, and transactions that commit and roll back.
     */
    @UnderPoliciesPromisingBoth
    void pgJdbcServerPreparedBatchedAndTransactionalWritesBothSides(ConsistencyPolicy policy) throws Exception {
        migration.changePolicy(policy);
        List<String> expected = new ArrayList<>();
        try (Connection client = DualWriteDatabases.open(proxy())) {
            String insertSql = "insert into " + TABLE + " (n, note) values (?, ?)";
            try (PreparedStatement insert = client.prepareStatement(insertSql)) {
                for (int n = 1; n <= 8; n++) {
                    insert(insert, n, "re-executed");
                    expected.add(n + "|re-executed");
                }
                assertTrue(insert.unwrap(PGStatement.class).isUseServerPrepare(),
                        "past prepareThreshold pgJDBC executes a named server-side statement");
                for (int n = 9; n <= 28; n++) {
                    insert.setInt(1, n);
                    insert.setString(2, "batched");
                    insert.addBatch();
                    expected.add(n + "|batched");
                }
                for (int rows : insert.executeBatch()) {
                    assertEquals(1, rows, "each batched INSERT reports its row");
                }
            }
            try (PreparedStatement returning = client.prepareStatement(insertSql, Statement.RETURN_GENERATED_KEYS)) {
                insert(returning, 29, "generated keys");
                try (ResultSet keys = returning.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(29, keys.getInt("n"));
                }
                expected.add("29|generated keys");
            }
            client.setAutoCommit(false);
            try (PreparedStatement insert = client.prepareStatement(insertSql);
                    PreparedStatement update = client.prepareStatement("update " + TABLE
                            + " set note = note || ? where n = ?")) {
                for (int n = 30; n <= 35; n++) {
                    insert(insert, n, "in a transaction");
                }
                for (int n = 30; n <= 35; n++) {
                    update.setString(1, " updated");
                    update.setInt(2, n);
                    assertEquals(1, update.executeUpdate());
                    expected.add(n + "|in a transaction updated");
                }
                try (Statement delete = client.createStatement()) {
                    assertEquals(5, delete.executeUpdate("delete from " + TABLE + " where n between 1 and 5"));
                }
                expected.subList(0, 5).clear();
                client.commit();
                insert(insert, 36, "rolled back");
                client.rollback();
            }
        }
        assertTargetRows(expected);
    }

    // ---- clients ---------------------------------------------------------------------------------------------------

    private ConnectionTarget proxy() {
        return DualWriteDatabases.proxy(port, DATABASE);
    }

    private static NodeClient node() {
        return NodeClient.with(POSTGRES_JS, NODE_POSTGRES).withTimeout(CLIENT_TIMEOUT);
    }

    private CommandResult psycopg(String scenario) {
        return PythonClient.with("psycopg", "python3-psycopg").withTimeout(CLIENT_TIMEOUT)
                .run(proxy(), SCRIPTS.resolve("psycopg_client.py"), scenario, TABLE);
    }

    private static void insert(PreparedStatement insert, int n, String note) throws SQLException {
        insert.setInt(1, n);
        insert.setString(2, note);
        assertEquals(1, insert.executeUpdate(), "rows inserted");
    }

    // ---- assertions ------------------------------------------------------------------------------------------------

    /** The secondary holds exactly these n|note rows, identical to the primary's in every column; no divergence. */
    private void assertTargetRows(List<String> expected) throws SQLException {
        String rows = Psql.against(DualWriteDatabases.secondary(DATABASE))
                .query("select n || '|' || note from " + TABLE + " order by n");
        assertEquals(String.join("\n", expected), rows, "rows on the secondary");
        DualWriteDatabases.assertIdentical(DATABASE, TABLE);
        assertEquals(divergencesBefore, divergences.total(), "no divergence recorded");
    }
}
