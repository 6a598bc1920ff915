package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.PreparedTransactions;
import io.exodus.testsupport.Psql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What pgJDBC and the Vert.x client do in everyday use, through the dual-writing proxy: server-prepared statements,
 * batches, transactions with savepoints, session settings, temporary tables, DISCARD ALL, pipelining. After each,
 * source and target hold the same rows. With the target as the primary too ({@link DualWriteDriversAfterCutoverTest}).
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteDriversTest {
    private static final String DATABASE = "dw_drivers";
    private static final String UNIQUE_VIOLATION = "23505";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    @AfterEach
    void backToDefaultPolicy() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    @Test
    void serverPreparedStatementsWriteTheSameRowsOnBothSides() throws Exception {
        createItems("prepared_items");
        try (Connection client = openProxy("prepareThreshold", "1")) {
            try (PreparedStatement insert = client.prepareStatement("insert into prepared_items values (?, ?)");
                    PreparedStatement update = client.prepareStatement(
                            "update prepared_items set label = label || ? where id % ? = 0");
                    PreparedStatement delete = client.prepareStatement("delete from prepared_items where id = ?")) {
                for (int i = 1; i <= 10; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "item " + i);
                    assertEquals(1, insert.executeUpdate(), "rows inserted by execution " + i);
                }
                for (int divisor = 2; divisor <= 4; divisor++) {
                    update.setString(1, "/" + divisor);
                    update.setInt(2, divisor);
                    assertEquals(10 / divisor, update.executeUpdate());
                }
                delete.setInt(1, 7);
                assertEquals(1, delete.executeUpdate());
                assertTrue(insert.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare(),
                        "pgJDBC uses a named server-side statement from the first execution");
            }
        }
        assertEquals(9, count("prepared_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "prepared_items");
    }

    @Test
    void batchesWriteEveryRowOnBothSides() throws Exception {
        createItems("batched_items");
        try (Connection client = openProxy()) {
            try (PreparedStatement insert = client.prepareStatement("insert into batched_items values (?, ?)")) {
                for (int i = 1; i <= 50; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "item " + i);
                    insert.addBatch();
                }
                int[] inserted = insert.executeBatch();
                assertEquals(50, inserted.length);
                for (int rows : inserted) {
                    assertEquals(1, rows, "each batched INSERT reports its row");
                }
            }
            try (PreparedStatement update = client.prepareStatement(
                    "update batched_items set label = ? where id = ?")) {
                for (int i = 1; i <= 50; i += 7) {
                    update.setString(1, "updated " + i);
                    update.setInt(2, i);
                    update.addBatch();
                }
                for (int rows : update.executeBatch()) {
                    assertEquals(1, rows);
                }
            }
            try (Statement statement = client.createStatement()) {
                statement.addBatch("delete from batched_items where id > 45");
                statement.addBatch("insert into batched_items values (100, 'plain text batch')");
                statement.addBatch("update batched_items set label = upper(label) where id <= 3");
                assertArrayEquals(new int[] { 5, 1, 3 }, statement.executeBatch());
            }
        }
        assertEquals(46, count("batched_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "batched_items");
    }

    @Test
    void transactionsOfSeveralStatementsCommitOrRollBackOnBothSides() throws Exception {
        createItems("txn_items");
        try (Connection client = openProxy()) {
            client.setAutoCommit(false);
            insert(client, "txn_items", 1, "kept");
            insert(client, "txn_items", 2, "kept");
            try (Statement statement = client.createStatement()) {
                assertEquals(1, statement.executeUpdate("update txn_items set label = 'kept, updated' where id = 2"));
            }
            client.commit();

            insert(client, "txn_items", 3, "rolled back");
            try (Statement statement = client.createStatement()) {
                assertEquals(1, statement.executeUpdate("delete from txn_items where id = 1"));
            }
            client.rollback();

            insert(client, "txn_items", 4, "kept after a rollback");
            client.commit();
        }
        assertEquals(List.of("1=kept", "2=kept, updated", "4=kept after a rollback"), labels("txn_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "txn_items");
    }

    /**
     * pgJDBC parses its COMMIT once as a named statement and binds it from then on: a COMMIT that Exodus answers
     * itself (after a transaction that wrote) must not leave the driver believing in a statement the source never
     * parsed, or the next COMMIT that goes to the source as it is (a transaction that only read) fails.
     */
    @Test
    void transactionsThatOnlyReadCommitAfterOnesThatWrote() throws Exception {
        createItems("read_after_write_items");
        try (Connection client = openProxy()) {
            client.setAutoCommit(false);
            for (int i = 1; i <= 3; i++) {
                insert(client, "read_after_write_items", i, "written");
                client.commit();
                try (Statement statement = client.createStatement();
                        ResultSet rows = statement.executeQuery("select count(*) from read_after_write_items")) {
                    rows.next();
                    assertEquals(i, rows.getInt(1));
                }
                client.commit();
                try (Statement statement = client.createStatement();
                        ResultSet rows = statement.executeQuery("select 1")) {
                    rows.next();
                }
                client.rollback();
            }
        }
        assertEquals(3, count("read_after_write_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "read_after_write_items");
    }

    @Test
    void rollbackToSavepointAfterAUniqueViolationKeepsTheRestOfTheTransaction() throws Exception {
        createItems("savepoint_items");
        try (Connection client = openProxy()) {
            client.setAutoCommit(false);
            insert(client, "savepoint_items", 1, "before the savepoint");
            Savepoint savepoint = client.setSavepoint("before_duplicate");
            insert(client, "savepoint_items", 2, "after the savepoint, rolled back");
            SQLException duplicate = assertThrows(SQLException.class,
                    () -> insert(client, "savepoint_items", 1, "duplicate"));
            assertEquals(UNIQUE_VIOLATION, duplicate.getSQLState(), duplicate.toString());
            client.rollback(savepoint);
            insert(client, "savepoint_items", 3, "after rollback to savepoint");
            client.releaseSavepoint(client.setSavepoint("released"));
            insert(client, "savepoint_items", 4, "after release");
            client.commit();
        }
        assertEquals(List.of("1=before the savepoint", "3=after rollback to savepoint", "4=after release"),
                labels("savepoint_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "savepoint_items");
    }

    @Test
    void searchPathAndTimeZoneSetInTheSessionApplyToTheWritesOnBothSides() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop schema if exists app cascade");
        DualWriteDatabases.onBoth(DATABASE, "create schema app");
        DualWriteDatabases.onBoth(DATABASE, "create table app.events (id int primary key, at timestamptz,"
                + " local_hour int, zone text)");
        // A table of the same name in public: with the wrong search_path a write would land there.
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists public.events");
        DualWriteDatabases.onBoth(DATABASE, "create table public.events (id int primary key, at timestamptz,"
                + " local_hour int, zone text)");
        try (Connection client = openProxy()) {
            try (Statement statement = client.createStatement()) {
                statement.execute("SET search_path = app, public");
                statement.execute("SET TIME ZONE 'Asia/Tokyo'");
                statement.executeUpdate("insert into events values (1, '2024-01-01 09:00',"
                        + " extract(hour from '2024-01-01 09:00'::timestamptz), current_setting('TimeZone'))");
            }
            try (PreparedStatement insert = client.prepareStatement("insert into events values (?, ?::timestamptz,"
                    + " extract(hour from ?::timestamptz), current_setting('TimeZone'))")) {
                insert.setInt(1, 2);
                insert.setString(2, "2024-06-30 23:30");
                insert.setString(3, "2024-06-30 23:30");
                insert.executeUpdate();
            }
            client.setAutoCommit(false);
            try (Statement statement = client.createStatement()) {
                statement.execute("SET LOCAL TIME ZONE 'America/New_York'");
                statement.executeUpdate("insert into events values (3, '2024-01-01 09:00',"
                        + " extract(hour from '2024-01-01 09:00'::timestamptz), current_setting('TimeZone'))");
            }
            client.commit();
            client.setAutoCommit(true);
            try (Statement statement = client.createStatement();
                    ResultSet zone = statement.executeQuery("show time zone")) {
                zone.next();
                assertEquals("Asia/Tokyo", zone.getString(1), "SET LOCAL ended with its transaction");
            }
        }
        assertEquals(0, count("public.events"), "search_path put every row into app.events");
        assertEquals(3, count("app.events"));
        DualWriteDatabases.assertIdentical(DATABASE, "app.events", "public.events");
        try (Connection primary = DualWriteDatabases.open(DualWriteDatabases.primary(DATABASE));
                Statement statement = primary.createStatement();
                ResultSet at = statement.executeQuery("select (at at time zone 'UTC')::text from app.events where id = 1")) {
            at.next();
            assertEquals("2024-01-01 00:00:00", at.getString(1), "09:00 in Tokyo is 00:00 UTC");
        }
    }

    /**
     * A temporary table lives in a schema of its own per backend ({@code pg_temp_N}, N the backend's slot), which is
     * another one on each side: a few idle sessions on the secondary make sure the proxy's session there gets another
     * N than its session on the primary.
     */
    @Test
    void temporaryTablesAreUsableAndFeedWritesToBothSides() throws Exception {
        createItems("from_temp_items");
        List<Connection> occupyingBackendSlots = new ArrayList<>();
        try (Connection client = openProxyAfter(occupyingBackendSlots)) {
            try (Statement statement = client.createStatement()) {
                statement.execute("create temp table staging (id int primary key, label text)");
                assertEquals(3, statement.executeUpdate(
                        "insert into staging values (1, 'one'), (2, 'two'), (3, 'three')"));
                try (PreparedStatement insert = client.prepareStatement("insert into staging values (?, ?)")) {
                    insert.setInt(1, 4);
                    insert.setString(2, "four");
                    assertEquals(1, insert.executeUpdate());
                }
                try (ResultSet rows = statement.executeQuery("select count(*), string_agg(label, ',' order by id)"
                        + " from staging")) {
                    rows.next();
                    assertEquals(4, rows.getInt(1));
                    assertEquals("one,two,three,four", rows.getString(2));
                }
                assertEquals(4, statement.executeUpdate("insert into from_temp_items select * from staging"));
                statement.execute("drop table staging");
            }
        } finally {
            for (Connection idle : occupyingBackendSlots) {
                idle.close();
            }
        }
        assertEquals(4, count("from_temp_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "from_temp_items");
    }

    /**
     * PostgreSQL cannot PREPARE TRANSACTION a transaction that touched a temporary table (the regression suite under
     * two-phase-commit failed every such test): under two-phase commit such a transaction commits without PREPARE, the
     * secondary first and the primary only if the secondary did, so that both or neither hold it.
     */
    @Test
    void temporaryTableUnderTwoPhaseCommitCommitsOnBothWithoutPrepare() throws Exception {
        createItems("two_phase_temp_items");
        DualWriteDatabases.onBoth(DATABASE, "create table two_phase_deferred (id int unique deferrable initially "
                + "deferred)");
        // A row on the secondary alone: the secondary's COMMIT of a transaction that inserts 7 fails there.
        try (Connection secondary = DualWriteDatabases.secondary(DATABASE).openJdbc();
                Statement statement = secondary.createStatement()) {
            statement.execute("insert into two_phase_deferred values (7)");
        }
        try (Connection client = openProxy()) {
            try (Statement statement = client.createStatement()) {
                statement.execute("create temp table scratch (id int)");
            }
            migration.changePolicy(ConsistencyPolicy.TWO_PHASE_COMMIT);
            client.setAutoCommit(false);
            try (Statement statement = client.createStatement()) {
                statement.execute("insert into scratch values (1)");
                statement.execute("insert into two_phase_temp_items values (1, 'with a temp table')");
            }
            client.commit();

            client.setAutoCommit(true);
            try (Statement statement = client.createStatement()) {
                statement.execute("create temp table scratch_too (id int)");
                statement.execute("insert into two_phase_temp_items select 2, 'from a temp table' from scratch");
            }
            insert(client, "two_phase_temp_items", 3, "without a temp table");

            client.setAutoCommit(false);
            try (Statement statement = client.createStatement()) {
                statement.execute("insert into scratch values (2)");
                statement.execute("insert into two_phase_deferred values (7)");
            }
            SQLException refused = assertThrows(SQLException.class, client::commit);
            assertEquals("23505", refused.getSQLState(), refused.toString());
        }
        assertEquals(List.of("1=with a temp table", "2=from a temp table", "3=without a temp table"),
                labels("two_phase_temp_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "two_phase_temp_items");
        assertEquals("0", Psql.against(DualWriteDatabases.primary(DATABASE)).query(
                "select count(*) from two_phase_deferred"), "the primary did not commit what the secondary refused");
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.source(DATABASE)));
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.target(DATABASE)));
    }

    @Test
    void discardAllThenPreparingTheSameStatementNamesAgainWritesOnBothSides() throws Exception {
        createItems("discarded_items");
        try (Connection client = openProxy("prepareThreshold", "1")) {
            try (PreparedStatement insert = client.prepareStatement("insert into discarded_items values (?, ?)");
                    Statement statement = client.createStatement()) {
                insertWith(insert, 1, "before discard");
                statement.execute("prepare add_item (int, text) as insert into discarded_items values ($1, $2)");
                statement.execute("execute add_item(2, 'sql-level before discard')");

                statement.execute("discard all");

                // pgJDBC notices DISCARD ALL and parses its statements again; the SQL-level name is free again and
                // now names another statement.
                insertWith(insert, 3, "after discard");
                statement.execute("prepare add_item (int) as insert into discarded_items values ($1, 'reused name')");
                statement.execute("execute add_item(4)");
                statement.execute("deallocate add_item");
                statement.execute("prepare add_item (int, text) as update discarded_items set label = $2 where id = $1");
                statement.execute("execute add_item(1, 'updated through a reused name')");
            }
        }
        assertEquals(List.of("1=updated through a reused name", "2=sql-level before discard", "3=after discard",
                "4=reused name"), labels("discarded_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "discarded_items");
    }

    /** COPY … FROM STDIN through pgJDBC's CopyManager lands on both sides (DualWriteCopyTest has the rest). */
    @Test
    void copyFromStdinWritesBothSides() throws Exception {
        createItems("copied_items");
        try (Connection client = openProxy()) {
            CopyManager copy = client.unwrap(PGConnection.class).getCopyAPI();
            assertEquals(2, copy.copyIn("copy copied_items from stdin", new StringReader("1\tone\n2\ttwo\n")));
            insert(client, "copied_items", 3, "the session goes on");
        }
        assertEquals(List.of("1=one", "2=two", "3=the session goes on"), labels("copied_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "copied_items");
    }

    @Test
    void vertxPipelinedPreparedQueriesAndBatchesWriteTheSameRowsOnBothSides() throws Exception {
        createItems("vertx_items");
        Vertx vertx = Vertx.vertx();
        ConnectionTarget proxy = DualWriteDatabases.proxy(port, DATABASE);
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
                .connectingTo(proxy.pgConnectOptions().setPipeliningLimit(16).setCachePreparedStatements(true))
                .using(vertx).build();
        try {
            List<Tuple> batch = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                batch.add(Tuple.of(i, "label " + i));
            }
            RowSet<Row> inserted = await(pool.preparedQuery("insert into vertx_items values ($1, $2)")
                    .executeBatch(batch));
            int batchRows = 0;
            for (RowSet<Row> each = inserted; each != null; each = each.next()) {
                batchRows += each.rowCount();
            }
            assertEquals(200, batchRows, "each batched INSERT reports its row");

            List<Future<RowSet<Row>>> pipelined = new ArrayList<>();
            for (int i = 1; i <= 60; i++) {
                pipelined.add(pool.preparedQuery("update vertx_items set label = label || '+' where id = $1")
                        .execute(Tuple.of(i)));
                pipelined.add(pool.preparedQuery("select label from vertx_items where id = $1").execute(Tuple.of(i)));
            }
            for (int i = 201; i <= 240; i++) {
                pipelined.add(pool.preparedQuery("insert into vertx_items values ($1, $2) returning id")
                        .execute(Tuple.of(i, "returned " + i)));
            }
            for (int i = 0; i < 120; i += 2) {
                assertEquals(1, await(pipelined.get(i)).rowCount());
            }
            for (int i = 120; i < pipelined.size(); i++) {
                assertEquals(81 + i, await(pipelined.get(i)).iterator().next().getInteger(0));
            }
            RowSet<Row> deleted = await(pool.withTransaction(connection -> connection
                    .preparedQuery("delete from vertx_items where id > $1").execute(Tuple.of(230))
                    .compose(rows -> connection.query("update vertx_items set label = 'in a transaction'"
                            + " where id = 1").execute().map(rows))));
            assertEquals(10, deleted.rowCount());
        } finally {
            pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertEquals(230, count("vertx_items"));
        DualWriteDatabases.assertIdentical(DATABASE, "vertx_items");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private Connection openProxy(String... properties) throws SQLException {
        return DualWriteDatabases.open(DualWriteDatabases.proxy(port, DATABASE), properties);
    }

    /** Opens a few idle sessions on the secondary first (kept in {@code idle} for the caller to close). */
    private Connection openProxyAfter(List<Connection> idle) throws SQLException {
        for (int i = 0; i < 5; i++) {
            idle.add(DualWriteDatabases.open(DualWriteDatabases.secondary(DATABASE)));
        }
        return openProxy();
    }

    private static void createItems(String table) throws SQLException {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (id int primary key, label text)");
    }

    private static void insert(Connection client, String table, int id, String label) throws SQLException {
        try (PreparedStatement insert = client.prepareStatement("insert into " + table + " values (?, ?)")) {
            insertWith(insert, id, label);
        }
    }

    private static void insertWith(PreparedStatement insert, int id, String label) throws SQLException {
        insert.setInt(1, id);
        insert.setString(2, label);
        assertEquals(1, insert.executeUpdate(), "rows inserted");
    }

    private static long count(String table) throws SQLException {
        try (Connection primary = DualWriteDatabases.open(DualWriteDatabases.primary(DATABASE));
                Statement statement = primary.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** id=label of every row on the primary, in id order. */
    private static List<String> labels(String table) throws SQLException {
        List<String> labels = new ArrayList<>();
        try (Connection primary = DualWriteDatabases.open(DualWriteDatabases.primary(DATABASE));
                Statement statement = primary.createStatement();
                ResultSet rows = statement.executeQuery("select id || '=' || label from " + table + " order by id")) {
            while (rows.next()) {
                labels.add(rows.getString(1));
            }
        }
        return labels;
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
