package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.ConsistencyPolicy;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.testsupport.CommandResult;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.DeterministicValuesWorkload;
import io.exodus.testsupport.InsertRun;
import io.exodus.testsupport.PostgresPairResource;
import io.exodus.testsupport.PreparedTransactions;
import io.exodus.testsupport.Psql;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values the server makes up (bigserial, identity, {@code now()}, {@code gen_random_uuid()}, {@code random()}) come
 * out the same on source and target through the dual-writing proxy, and the client sees them as they are stored.
 */
@QuarkusTest
@TestProfile(DualWriteProfile.class)
@QuarkusTestResource(PostgresPairResource.class)
class DualWriteDeterminismTest {
    private static final String DATABASE = "dw_determinism";
    private static final int CLIENTS = 6;
    private static final int INSERTS_PER_CLIENT = 20;
    /** pgJDBC's extended query protocol, and everything as simple Query messages with inlined parameters. */
    private static final String EXTENDED = "extended";
    private static final String SIMPLE = "simple";

    @ConfigProperty(name = "exodus.listen.port")
    int port;

    @Inject
    MigrationState migration;

    @Inject
    io.exodus.proxy.consistency.DivergenceLog divergences;

    @BeforeAll
    static void createDatabase() throws Exception {
        DualWriteDatabases.recreate(DATABASE);
    }

    @AfterEach
    void backToDefaultPolicy() {
        migration.changePolicy(ConsistencyPolicy.BOTH_REQUIRED);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ConsistencyPolicy.class, names = { "BOTH_REQUIRED", "TWO_PHASE_COMMIT" })
    void concurrentInsertsOfServerMadeValuesLeaveIdenticalRows(ConsistencyPolicy policy) throws Exception {
        DeterministicValuesWorkload workload = new DeterministicValuesWorkload(
                "made_up_" + policy.name().toLowerCase(Locale.ROOT));
        workload.create(DualWriteDatabases.source(DATABASE));
        workload.create(DualWriteDatabases.target(DATABASE));
        migration.changePolicy(policy);

        InsertRun run = workload.run(proxy(), CLIENTS, INSERTS_PER_CLIENT).requireNoFailures();

        long expected = DeterministicValuesWorkload.expectedRows(CLIENTS, INSERTS_PER_CLIENT);
        assertEquals(expected, run.rows(), run.toString());
        assertEquals(expected, workload.count(DualWriteDatabases.primary(DATABASE)));
        DualWriteDatabases.assertIdentical(DATABASE, workload.table());
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.source(DATABASE)));
        assertEquals(List.of(), PreparedTransactions.exodusGids(DualWriteDatabases.target(DATABASE)));
    }

    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void insertReturningAllColumnsGivesTheClientTheRowAsStoredOnBothSides(String protocol) throws Exception {
        String table = "returned_" + protocol;
        createMadeUpValuesTable(table);
        List<Map<String, String>> returned = new ArrayList<>();
        try (Connection client = openProxy(protocol);
                PreparedStatement insert = client.prepareStatement(
                        "insert into " + table + " (note) values (?) returning *")) {
            for (int i = 0; i < 3; i++) {
                insert.setString(1, "row " + i);
                try (ResultSet rows = insert.executeQuery()) {
                    assertTrue(rows.next(), "INSERT … RETURNING * returned no row");
                    returned.add(rowOf(rows));
                }
            }
        }
        assertReturnedAsStored(table, returned);
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void generatedKeysOfJdbcAreTheRowAsStoredOnBothSides(String protocol) throws Exception {
        String table = "generated_keys_" + protocol;
        createMadeUpValuesTable(table);
        List<Map<String, String>> returned = new ArrayList<>();
        try (Connection client = openProxy(protocol);
                PreparedStatement insert = client.prepareStatement(
                        "insert into " + table + " (note) values (?)", Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < 3; i++) {
                insert.setString(1, "row " + i);
                assertEquals(1, insert.executeUpdate());
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    assertTrue(keys.next(), "no generated keys");
                    returned.add(rowOf(keys));
                }
            }
        }
        assertReturnedAsStored(table, returned);
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    /** Hibernate's IDENTITY path: {@code prepareStatement(sql, new String[] {"id"})}, i.e. {@code RETURNING "id"}. */
    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void generatedKeysByColumnNameAreTheRowAsStoredOnBothSides(String protocol) throws Exception {
        String table = "named_keys_" + protocol;
        createMadeUpValuesTable(table);
        List<Map<String, String>> returned = new ArrayList<>();
        try (Connection client = openProxy(protocol)) {
            // A first row through a plain INSERT (a row image), as an application mixing both forms would.
            try (Statement statement = client.createStatement()) {
                statement.executeUpdate("insert into " + table + " (note) values ('plain')");
            }
            try (PreparedStatement insert = client.prepareStatement("insert into " + table + " (note) values (?)",
                    new String[] { "id", "token" })) {
                for (int i = 0; i < 3; i++) {
                    insert.setString(1, "row " + i);
                    assertEquals(1, insert.executeUpdate());
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        assertTrue(keys.next(), "no generated keys");
                        returned.add(rowOf(keys));
                    }
                }
            }
        }
        assertReturnedAsStored(table, returned);
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void insertOnConflictDoNothingCopiesOnlyTheInsertedRows(String protocol) throws Exception {
        String table = "keyed_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (k int primary key,"
                + " created_at timestamptz not null default clock_timestamp(), token uuid default gen_random_uuid())");
        try (Connection client = openProxy(protocol)) {
            assertEquals(2, insertKeys(client, table, 1, 2));
            assertEquals(1, insertKeys(client, table, 2, 3), "k = 2 conflicts, k = 3 is new");
            assertEquals(0, insertKeys(client, table, 1), "k = 1 conflicts: nothing inserted");
            assertEquals(0, insertKeys(client, table, 1, 2, 3), "every key conflicts");
            assertEquals(1, insertKeys(client, table, 4));
        }
        assertEquals(4, count(DualWriteDatabases.primary(DATABASE), table));
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void insertIntoATableWithAStoredGeneratedColumnLetsEachSideComputeIt(String protocol) throws Exception {
        String table = "priced_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (id bigserial primary key,"
                + " price numeric not null, qty int not null, total numeric generated always as (price * qty) stored,"
                + " at timestamptz default now())");
        try (Connection client = openProxy(protocol)) {
            try (Statement statement = client.createStatement()) {
                statement.executeUpdate("insert into " + table + " (price, qty) values (1.50, 2), (3, 3)");
            }
            try (PreparedStatement insert = client.prepareStatement(
                    "insert into " + table + " (price, qty) values (?, ?) returning *")) {
                insert.setBigDecimal(1, new java.math.BigDecimal("2.25"));
                insert.setInt(2, 4);
                try (ResultSet row = insert.executeQuery()) {
                    assertTrue(row.next());
                    assertEquals(0, new java.math.BigDecimal("9.00").compareTo(row.getBigDecimal("total")));
                }
            }
        }
        try (Connection primary = DualWriteDatabases.open(DualWriteDatabases.primary(DATABASE));
                Statement statement = primary.createStatement();
                ResultSet totals = statement.executeQuery("select string_agg(total::text, ',' order by id) from "
                        + table)) {
            totals.next();
            assertEquals("3.00,9,9.00", totals.getString(1));
        }
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    @Test
    void selectNextvalGivesTheClientTheSourceValueAndAdvancesBothSequences() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop sequence if exists tickets");
        DualWriteDatabases.onBoth(DATABASE, "create sequence tickets");
        // The secondary's sequence stands elsewhere, so that its value cannot be mistaken for the primary's.
        try (Connection secondary = DualWriteDatabases.open(DualWriteDatabases.secondary(DATABASE));
                Statement statement = secondary.createStatement()) {
            statement.execute("select setval('tickets', 100)");
        }
        List<Long> seen = new ArrayList<>();
        try (Connection client = openProxy(EXTENDED)) {
            try (Statement statement = client.createStatement()) {
                for (int i = 0; i < 2; i++) {
                    seen.add(singleLong(statement.executeQuery("select nextval('tickets')")));
                }
            }
            try (PreparedStatement prepared = client.prepareStatement("select nextval(?)")) {
                prepared.setString(1, "tickets");
                for (int i = 0; i < 2; i++) {
                    seen.add(singleLong(prepared.executeQuery()));
                }
            }
            client.setAutoCommit(false);
            try (Statement statement = client.createStatement()) {
                seen.add(singleLong(statement.executeQuery("select nextval('tickets')")));
            }
            client.commit();
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen, "the client sees the primary's values");
        assertEquals(5L, lastValue(DualWriteDatabases.primary(DATABASE), "tickets"));
        assertEquals(105L, lastValue(DualWriteDatabases.secondary(DATABASE), "tickets"),
                "the secondary's sequence moved as often as the primary's");
    }

    /**
     * An UPDATE that draws values (clock, randomness, a column's DEFAULT) used to run as its text on the target, which
     * drew its own: {@code UPDATE … SET updated_at = now()} left every touched row different, counted but not fixed.
     * The source's updated rows now come back with {@code RETURNING t.*} and the target sets the assigned columns of
     * the rows with the same key to those values: autocommit and in a transaction, a SET list of several columns, a
     * FROM list, a DEFAULT.
     */
    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void anUpdateOfServerMadeValuesLeavesIdenticalRows(String protocol) throws Exception {
        String table = "touched_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (id int primary key, note text, touched_at "
                + "timestamptz, token uuid, n float8, tag text, serial_no bigint generated by default as identity)");
        // The rows' identity values are given, not drawn: the proxy brings the target's sequences up to the source's
        // as it finds them, and a look at the source's in the middle of its insert moved the target's on by one.
        DualWriteDatabases.onBoth(DATABASE, "insert into " + table + " (id, note, serial_no) select g, 'row ' || g, g"
                + " from generate_series(1, 20) g");
        double listedBefore = divergences.needingVerification().size();
        try (Connection client = openProxy(protocol)) {
            try (PreparedStatement touch = client.prepareStatement("update " + table
                    + " set touched_at = clock_timestamp(), token = gen_random_uuid() where id <= ?")) {
                touch.setInt(1, 5);
                assertEquals(5, touch.executeUpdate());
            }
            client.setAutoCommit(false);
            try (Statement statement = client.createStatement()) {
                assertEquals(5, statement.executeUpdate("update " + table + " as t set (n, tag) = (random(), 'x' || "
                        + "t.id) from (select 15 as above) s where t.id > s.above"));
                assertEquals(1, statement.executeUpdate("update " + table + " set serial_no = default, note = note "
                        + "|| '!' , touched_at = now() where id = 7"));
            }
            client.commit();
        }
        DualWriteDatabases.assertIdentical(DATABASE, table);
        assertCopiedUpdatesNotListed(listedBefore);
    }

    /**
     * A row image adds RETURNING to the client's write, and RETURNING needs the SELECT privilege: a role that may
     * INSERT and UPDATE but not read got "permission denied" through Exodus for writes that succeed directly (the
     * regression suite's privileges test). Exodus wrapped those autocommit statements itself, so it rolls the refused
     * run back and runs the statement again as the client sent it; the client gets what it would get directly, its
     * own errors included. In the extended protocol the statements (unnamed, and named once pgJDBC prepares them on
     * the server after five executions) are given back to the source as the client parsed them.
     */
    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void aWriteWhoseRowImageTheSourceRefusesRunsAsTheClientSentIt(String protocol) throws Exception {
        String table = "unreadable_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (id int primary key, at timestamptz default "
                + "now(), n int)");
        DualWriteDatabases.onBoth(DATABASE, "do $$ begin create role exodus_blind_writer; exception when "
                + "duplicate_object then null; end $$");
        DualWriteDatabases.onBoth(DATABASE, "grant usage on schema public to exodus_blind_writer");
        DualWriteDatabases.onBoth(DATABASE, "grant insert, update on " + table + " to exodus_blind_writer");
        try (Connection client = openProxy(protocol); Statement statement = client.createStatement()) {
            statement.execute("set role exodus_blind_writer");
            assertEquals(1, statement.executeUpdate("insert into " + table + " (id, n) values (1, 1)"));
            assertEquals(1, statement.executeUpdate("update " + table + " set at = now(), n = 2"));
            try (PreparedStatement insert = client.prepareStatement("insert into " + table + " (id, n) values (?, ?)")) {
                for (int id = 10; id < 17; id++) {
                    insert.setInt(1, id);
                    insert.setInt(2, id);
                    assertEquals(1, insert.executeUpdate(), "execution " + (id - 9));
                }
            }
            SQLException own = assertThrows(SQLException.class,
                    () -> statement.executeUpdate("insert into " + table + " (id, n) values (1, 3)"));
            assertEquals("23505", own.getSQLState(), own.getMessage());
            SQLException denied = assertThrows(SQLException.class,
                    () -> statement.executeQuery("select n from " + table));
            assertEquals("42501", denied.getSQLState(), denied.getMessage());
            statement.execute("reset role");
        }
        for (ConnectionTarget side : List.of(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE))) {
            assertEquals("8|2|93", Psql.against(side).query("select count(*), min(n), sum(n) from " + table));
        }
        // Row by row, but for "at": the UPDATE's now() ran as text on each database, counted below.
        String rows = "select string_agg(id || ':' || n, ',' order by id) from " + table;
        assertEquals(Psql.against(DualWriteDatabases.source(DATABASE)).query(rows),
                Psql.against(DualWriteDatabases.target(DATABASE)).query(rows));
        assertTrue(divergences.needingVerification().stream().anyMatch(text -> text.contains("set at = now(), n = 2")),
                "the UPDATE ran as its text on both and is listed: " + divergences.needingVerification());
    }

    /**
     * An INSERT into a table that does not exist yet fails with a class-42 error, image or not: run again as text, it
     * fails the same way, so the error was its own and the text keeps its row image. Once the table exists, the same
     * text copies the source's drawn values instead of letting the target draw its own.
     */
    @Test
    void aStatementsOwnErrorDoesNotCostItsRowImage() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists arrives_later");
        String insert = "insert into arrives_later (id) values (1)";
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            SQLException missing = assertThrows(SQLException.class, () -> statement.executeUpdate(insert));
            assertEquals("42P01", missing.getSQLState(), missing.getMessage());
            DualWriteDatabases.onBoth(DATABASE, "create table arrives_later (id int primary key, at timestamptz "
                    + "default clock_timestamp())");
            assertEquals(1, statement.executeUpdate(insert));
        }
        DualWriteDatabases.assertIdentical(DATABASE, "arrives_later");
    }

    /**
     * {@code RETURNING *} of a table without columns is an error where the INSERT is not (the regression suite's
     * vacuum test: past_inh_child), and inside the client's transaction the refused run cannot be undone: the image
     * returns a constant column besides the rows.
     */
    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void anInsertIntoATableWithoutColumnsSucceedsInsideATransaction(String protocol) throws Exception {
        String table = "no_columns_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " ()");
        try (Connection client = openProxy(protocol); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            assertEquals(1, statement.executeUpdate("insert into " + table + " default values"));
            assertEquals(1, statement.executeUpdate("insert into " + table + " default values"));
            client.commit();
        }
        for (ConnectionTarget side : List.of(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE))) {
            assertEquals("2", Psql.against(side).query("select count(*) from " + table));
        }
    }

    /**
     * Where the target's rows cannot be found by the new row's key (no primary key, as PostgreSQL's identity test's
     * itest1 has; or the UPDATE changes the key), the source also returns each row as it was before the UPDATE, and the
     * target changes one row equal to it: equal rows (here two) are interchangeable. Through the SET list
     * ({@code clock_timestamp()}), or through the WHERE clause where no SET value can carry it ({@code DEFAULT}).
     * The source's identities have drawn values the target's have not, so a target that drew its own would differ; a
     * {@code GENERATED ALWAYS} identity (itest2), which takes no value, has its sequence set to draw the source's.
     */
    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void anUpdateWhoseRowsHaveNoKeyToFindThemByFindsThemByTheOldRow(String protocol) throws Exception {
        String keyless = "redrawn_" + protocol;
        String keyed = "rekeyed_" + protocol;
        String always = "redrawn_always_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + keyless + ", " + keyed);
        DualWriteDatabases.onBoth(DATABASE, "create table " + keyless + " (k int, a int generated by default as "
                + "identity, note text, at timestamptz)");
        DualWriteDatabases.onBoth(DATABASE, "insert into " + keyless + " (k, a, note) values (1, 1, 'x'), (1, 1, 'x'), "
                + "(2, 2, 'y'), (3, 3, 'z'), (4, 4, null)");
        DualWriteDatabases.onBoth(DATABASE, "create table " + keyed + " (id int primary key, at timestamptz)");
        DualWriteDatabases.onBoth(DATABASE, "insert into " + keyed + " select g from generate_series(1, 5) g");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + always);
        DualWriteDatabases.onBoth(DATABASE, "create table " + always + " (a bigint generated always as identity, b "
                + "text)");
        // Given, not drawn, as in anUpdateOfServerMadeValuesLeavesIdenticalRows: the proxy follows the sequences.
        DualWriteDatabases.onBoth(DATABASE, "insert into " + always + " (a, b) overriding system value values "
                + "(1, 'x'), (2, 'y'), (3, 'y')");
        for (String table : List.of(keyless, always)) {
            Psql.against(DualWriteDatabases.primary(DATABASE)).query("select nextval(pg_get_serial_sequence('" + table
                    + "', 'a')) from generate_series(1, 40)");
        }
        double listedBefore = divergences.needingVerification().size();
        try (Connection client = openProxy(protocol); Statement statement = client.createStatement()) {
            assertEquals(1, statement.executeUpdate("update " + keyless + " set a = default where k = 2"));
            assertEquals(2, statement.executeUpdate("update " + keyless + " set at = clock_timestamp(), note = note "
                    + "|| '!' where k = 1"));
            assertEquals(2, statement.executeUpdate("update " + keyless + " set k = k + 10, a = default where k > 2"));
            try (PreparedStatement update = client.prepareStatement("update " + keyed
                    + " set id = id + ?, at = clock_timestamp() where id <= ?")) {
                update.setInt(1, 100);
                update.setInt(2, 3);
                assertEquals(3, update.executeUpdate());
            }
            // itest2: a GENERATED ALWAYS identity takes DEFAULT only; the target draws the source's value.
            assertEquals(1, statement.executeUpdate("update " + always + " set a = default where b = 'x'"));
            assertEquals(2, statement.executeUpdate("update " + always + " set a = default, b = b || '!' where b = "
                    + "'y'"));
        }
        DualWriteDatabases.assertIdentical(DATABASE, keyless, keyed, always);
        assertCopiedUpdatesNotListed(listedBefore);
    }

    /**
     * {@code UPDATE/DELETE … WHERE CURRENT OF} a cursor that only reads: the cursor exists on the source alone, so the
     * statement ran as text on the target failed there (the regression suite's portals test; parked in the replay
     * queue). The source now returns the rows it changed or removed, with the old row, and the target changes or
     * removes its copy: found by key, or in a table without one (and with equal rows) by the old row. The client's own
     * {@code RETURNING *} still gets exactly its rows.
     */
    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void updatesAndDeletesWhereCurrentOfACursorReachTheTarget(String protocol) throws Exception {
        String keyless = "cursor_rows_" + protocol;
        String keyed = "cursor_keyed_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + keyless + ", " + keyed);
        DualWriteDatabases.onBoth(DATABASE, "create table " + keyless + " (f1 int, f2 text)");
        DualWriteDatabases.onBoth(DATABASE, "insert into " + keyless + " values (1, 'one'), (2, 'two'), (2, 'two'), "
                + "(3, 'three'), (4, 'four')");
        DualWriteDatabases.onBoth(DATABASE, "create table " + keyed + " (id int primary key, f text)");
        DualWriteDatabases.onBoth(DATABASE, "insert into " + keyed + " select g, 'r' || g from generate_series(1, 4) g");
        try (Connection client = openProxy(protocol); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("declare c1 cursor for select * from " + keyless);
            statement.executeQuery("fetch 2 from c1").close();
            assertEquals(1, statement.executeUpdate("update " + keyless + " set f1 = f1 + 10 where current of c1"));
            statement.executeQuery("fetch 1 from c1").close();
            assertEquals(1, statement.executeUpdate("delete from " + keyless + " where current of c1"));
            statement.executeQuery("fetch 1 from c1").close();
            assertEquals(1, statement.executeUpdate("update " + keyless + " set f2 = 8 where current of c1"));
            statement.execute("declare c2 cursor for select * from " + keyed + " order by id for update");
            statement.executeQuery("fetch 2 from c2").close();
            try (ResultSet returned = statement.executeQuery("update " + keyed + " set f = f || '!' where current "
                    + "of c2 returning *")) {
                assertTrue(returned.next());
                assertEquals(Map.of("id", "2", "f", "r2!"), rowOf(returned));
            }
            statement.executeQuery("fetch 1 from c2").close();
            assertEquals(1, statement.executeUpdate("delete from " + keyed + " where current of c2"));
            client.commit();
        }
        DualWriteDatabases.assertIdentical(DATABASE, keyless, keyed);
        assertEquals("1:one,3:8,4:four,12:two", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select string_agg(f1 || ':' || f2, ',' order by f1) from " + keyless));
    }

    /**
     * On a view with a rule, the image's RETURNING is refused ("cannot perform DELETE RETURNING") before PostgreSQL
     * says what it says directly: WHERE CURRENT OF does not work on a view. The primary is asked first, and the
     * statement runs as the client sent it (the regression suite's portals test).
     */
    @Test
    void aCursorStatementOnAViewWithARuleFailsAsItDoesDirectly() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop view if exists cursor_view; drop table if exists cursor_base");
        DualWriteDatabases.onBoth(DATABASE, "create table cursor_base (f1 int)");
        DualWriteDatabases.onBoth(DATABASE, "insert into cursor_base values (1), (2)");
        DualWriteDatabases.onBoth(DATABASE, "create view cursor_view as select * from cursor_base; create rule "
                + "cursor_view_delete as on delete to cursor_view do instead delete from cursor_base where f1 = old.f1");
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            client.setAutoCommit(false);
            statement.execute("declare c1 cursor for select * from cursor_view");
            statement.executeQuery("fetch 1 from c1").close();
            SQLException refused = assertThrows(SQLException.class,
                    () -> statement.executeUpdate("delete from cursor_view where current of c1"));
            assertEquals("0A000", refused.getSQLState());
            assertTrue(refused.getMessage().contains("WHERE CURRENT OF on a view is not implemented"),
                    refused.getMessage());
            client.rollback();
        }
        DualWriteDatabases.assertIdentical(DATABASE, "cursor_base");
    }

    /**
     * A BEFORE INSERT trigger that changes the row ran twice for the target: the source's row image is the row the
     * trigger finished, and the target's own trigger changed it again. Silent: both answered {@code INSERT 0 1}. Where
     * the INSERT draws nothing (no column default, no drawn value in its text) the target now runs its text, and its
     * trigger makes the same row there; where it draws something, the image stays and the statement is listed for
     * verification. The regression suite's triggers test showed it as a parked entry: a trigger that changes the
     * partition key moved the image out of the partition it was routed to.
     */
    @ParameterizedTest(name = "{0} protocol")
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void aBeforeTriggerThatChangesTheRowChangesItOnceOnEachDatabase(String protocol) throws Exception {
        String appended = "appended_" + protocol;
        String parted = "moved_" + protocol;
        String drawn = "appended_drawn_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + appended + ", " + parted + ", " + drawn);
        DualWriteDatabases.onBoth(DATABASE, "create or replace function exodus_append_op() returns trigger language "
                + "plpgsql as $$ begin new.c = new.c || ' did ' || tg_op; return new; end $$");
        DualWriteDatabases.onBoth(DATABASE, "create or replace function exodus_add_b() returns trigger language "
                + "plpgsql as $$ begin new.a = new.a + new.b; return new; end $$");
        DualWriteDatabases.onBoth(DATABASE, "create table " + appended + " (a int, c text)");
        DualWriteDatabases.onBoth(DATABASE, "create trigger t before insert or update on " + appended
                + " for each row execute function exodus_append_op()");
        DualWriteDatabases.onBoth(DATABASE, "create table " + parted + " (a int, b int, c text) partition by list "
                + "((a + b))");
        DualWriteDatabases.onBoth(DATABASE, "create table " + parted + "_1 partition of " + parted
                + " for values in (1, 2)");
        DualWriteDatabases.onBoth(DATABASE, "create table " + parted + "_2 partition of " + parted
                + " for values in (3, 4)");
        DualWriteDatabases.onBoth(DATABASE, "create trigger t before insert on " + parted
                + " for each row execute function exodus_add_b()");
        DualWriteDatabases.onBoth(DATABASE, "create table " + drawn + " (id serial primary key, c text)");
        DualWriteDatabases.onBoth(DATABASE, "create trigger t before insert on " + drawn
                + " for each row execute function exodus_append_op()");
        double listedBefore = divergences.needingVerification().size();
        try (Connection client = openProxy(protocol)) {
            try (PreparedStatement insert = client.prepareStatement("insert into " + appended + " values (?, ?)")) {
                insert.setInt(1, 1);
                insert.setString(2, "uno");
                assertEquals(1, insert.executeUpdate());
            }
            try (Statement statement = client.createStatement()) {
                assertEquals(1, statement.executeUpdate("insert into " + parted + " values (0, 1, 'zero win')"));
            }
            assertEquals(listedBefore, divergences.needingVerification().size(),
                    "inserts that draw nothing are exact as text: " + divergences.needingVerification());
            try (Statement statement = client.createStatement()) {
                // Its SELECT runs again on the target, later: exact unless another session changes what it reads.
                assertEquals(1, statement.executeUpdate("insert into " + appended + " select 2, c from " + parted));
            }
            assertTrue(divergences.needingVerification().stream().anyMatch(text -> text.contains("select 2, c")),
                    "an INSERT … SELECT run as its text is listed: " + divergences.needingVerification());
            try (Statement statement = client.createStatement()) {
                assertEquals(1, statement.executeUpdate("insert into " + drawn + " (c) values ('dos')"));
            }
        }
        DualWriteDatabases.assertIdentical(DATABASE, appended, parted);
        assertEquals("uno did INSERT", Psql.against(DualWriteDatabases.target(DATABASE))
                .query("select c from " + appended + " where a = 1"));
        assertTrue(divergences.needingVerification().stream().anyMatch(text -> text.contains(drawn)),
                "an image a trigger changes again is listed: " + divergences.needingVerification());
    }

    /** A DELETE whose condition draws values ({@code random()}) removes the same rows on both databases. */
    @Test
    void aDeleteOfRandomRowsRemovesTheSameRowsOnBoth() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists thinned");
        DualWriteDatabases.onBoth(DATABASE, "create table thinned (n int)");
        DualWriteDatabases.onBoth(DATABASE, "insert into thinned select g % 50 from generate_series(1, 200) g");
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            assertTrue(statement.executeUpdate("delete from thinned where random() < 0.5") > 0);
        }
        DualWriteDatabases.assertIdentical(DATABASE, "thinned");
    }

    /**
     * Under DateStyle Postgres (or SQL, German), PostgreSQL writes a timestamptz before its zone had standard time with
     * the abbreviation LMT, which it does not read back: the target refused the row image ("invalid input syntax"),
     * and from that transaction on every write of the database was queued (the regression suite's timestamptz). The
     * image now leaves LMT out; the target's session has the same TimeZone, where the local time means the same.
     */
    @Test
    void aTimestampOfLocalMeanTimeInPostgresDateStyleReachesTheTarget() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists long_ago");
        DualWriteDatabases.onBoth(DATABASE, "create table long_ago (id int primary key, at timestamptz, "
                + "span tstzrange, ats timestamptz[], noted timestamptz default now())");
        double before = divergences.total();
        CommandResult inserted = Psql.against(proxy()).script("""
                SET datestyle = 'Postgres, MDY';
                SET timezone = 'America/Los_Angeles';
                INSERT INTO long_ago (id, at) VALUES (1, 'Feb 16 17:32:01 0097 BC');
                INSERT INTO long_ago (id, at) VALUES (2, '1850-01-01 12:00');
                INSERT INTO long_ago (id, at, span, ats) VALUES (3, '2026-11-01 01:30 PST',
                    '[1800-01-01, 2026-07-01)', '{1800-01-01 00:00, 2026-07-01 12:00}');
                """);
        assertTrue(inserted.succeeded(), inserted.toString());
        CatchUpDrain.await(java.time.Duration.ofSeconds(30));
        DualWriteDatabases.assertIdentical(DATABASE, "long_ago");
        String rows = "select string_agg(id || ' ' || extract(epoch from at) || ' ' || coalesce(span::text, '') || ' '"
                + " || coalesce(ats::text, ''), ',' order by id) from long_ago";
        assertEquals(Psql.against(DualWriteDatabases.source(DATABASE)).query(rows),
                Psql.against(DualWriteDatabases.target(DATABASE)).query(rows));
        assertEquals(before, divergences.total(), "nothing diverged: " + divergences.recent());
    }

    /**
     * CREATE TABLE … AS with values drawn per database (the regression suite's random_tbl) ran as its text on both
     * and left different rows, counted only. It now runs as the empty table and an INSERT with a row image: both
     * hold the source's rows, in autocommit and in a transaction, and the client sees what it would directly.
     */
    @Test
    void createTableAsWithDrawnValuesLeavesIdenticalRows() throws Exception {
        double before = divergences.total();
        CommandResult auto = Psql.against(proxy()).command("create table ctas_auto as select g as id, random() as r, "
                + "gen_random_uuid() as u, clock_timestamp() as at from generate_series(1, 500) g");
        assertTrue(auto.succeeded(), auto.toString());
        assertEquals("SELECT 500", auto.stdout().strip());
        CommandResult inTransaction = Psql.against(proxy()).script("""
                BEGIN;
                CREATE TABLE ctas_txn (id, r) AS (SELECT g, random() FROM generate_series(1, 20) g);
                INSERT INTO ctas_txn VALUES (0, 0.5);
                COMMIT;
                """);
        assertTrue(inTransaction.succeeded(), inTransaction.toString());
        assertTrue(inTransaction.stdout().contains("SELECT 20"), inTransaction.toString());
        // 'now' is read as the clock by the time types' input functions (the regression suite's tab_core_types).
        CommandResult clock = Psql.against(proxy()).command("create table ctas_clock as select g as id, "
                + "'now'::timestamptz as at, 'now'::time as t from generate_series(1, 3) g");
        assertTrue(clock.succeeded(), clock.toString());
        CommandResult failing = Psql.against(proxy()).command("create table ctas_failed as select 1 / (g - 3) as x, "
                + "random() as r from generate_series(1, 5) g");
        assertTrue(failing.stderr().contains("division by zero"), failing.toString());
        DualWriteDatabases.assertIdentical(DATABASE, "ctas_auto", "ctas_txn", "ctas_clock");
        for (ConnectionTarget side : List.of(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE))) {
            assertEquals("500|21|f", Psql.against(side).query("select (select count(*) from ctas_auto), "
                    + "(select count(*) from ctas_txn), to_regclass('ctas_failed') is not null"));
        }
        assertEquals(before, divergences.total(), "nothing diverged: " + divergences.recent());
        assertTrue(divergences.needingVerification().stream().noneMatch(text -> text.toLowerCase(java.util.Locale.ROOT)
                .contains("ctas_")), divergences.needingVerification().toString());
    }

    /**
     * A CREATE TABLE … AS that reads a table other sessions write: the target runs a transaction's statements with its
     * COMMIT (ADR 0051), so a copy made in a transaction read there an order another session added meanwhile, and
     * the two copies held other rows, with the same row count answered, silently. It now runs as the empty table and
     * an INSERT … SELECT whose rows reach the target as a row image, as one with drawn values does: through the simple
     * protocol, and through the extended one as a driver runs a statement (pgJDBC's BEGIN in front of it included).
     * The client sees what a direct connection answers: the row count, an error, the session usable after it.
     */
    @ParameterizedTest
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void aTableCreatedFromAnotherTableHoldsTheSourcesRowsOnBothDatabases(String protocol) throws Exception {
        String orders = "ordered_" + protocol;
        String snapshot = "order_snapshot_" + protocol;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + orders + ", " + snapshot);
        DualWriteDatabases.onBoth(DATABASE, "create table " + orders + " (id int primary key, total int)");
        DualWriteDatabases.onBoth(DATABASE, "insert into " + orders + " values (1, 10), (2, 20)");
        try (Connection copier = openProxy(protocol); Connection other = openProxy(protocol)) {
            copier.setAutoCommit(false);
            try (Statement statement = copier.createStatement()) {
                statement.execute("create table " + snapshot + " as select id, total from " + orders);
            }
            try (Statement statement = other.createStatement()) {
                assertEquals(1, statement.executeUpdate("insert into " + orders + " values (3, 30)"));
            }
            copier.commit();
        }
        String rows = "select string_agg(id || ':' || total, ',' order by id) from " + snapshot;
        assertEquals("1:10,2:20", Psql.against(DualWriteDatabases.source(DATABASE)).query(rows));
        assertEquals("1:10,2:20", Psql.against(DualWriteDatabases.target(DATABASE)).query(rows),
                "the target's copy holds the rows the source's copy read");
        String create = "create table " + snapshot + " as select id, total from " + orders;
        assertFalse(divergences.needingVerification().contains(create), divergences.needingVerification().toString());
        try (Connection client = openProxy(protocol); Statement statement = client.createStatement()) {
            statement.execute("create table " + snapshot + "_auto as select * from " + orders + " where id > 1");
            assertEquals(2, statement.getUpdateCount(), "SELECT 2");
            SQLException exists = assertThrows(SQLException.class, () -> statement.execute(create));
            assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
            SQLException missing = assertThrows(SQLException.class, () -> statement.execute(
                    "create table " + snapshot + "_missing as select nothing from " + orders));
            assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
            assertEquals(3, singleLong(statement.executeQuery("select count(*) from " + orders)));
        }
        DualWriteDatabases.assertIdentical(DATABASE, snapshot, snapshot + "_auto");
    }

    /**
     * A function of the database's own that reads a table, called as a write (a stored procedure placing an order at
     * the current price): the target runs the call with its transaction's COMMIT (ADR 0051), and read there a price
     * another session changed meanwhile, silently. A call can carry no row image; it is counted and listed for
     * verification, the function named, while one whose body reads nothing is not.
     */
    @Test
    void aCallOfAFunctionThatReadsTablesIsListedForVerification() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists priced_items, placed_orders");
        DualWriteDatabases.onBoth(DATABASE, "create table priced_items (id int primary key, price int)");
        DualWriteDatabases.onBoth(DATABASE, "insert into priced_items values (1, 10)");
        DualWriteDatabases.onBoth(DATABASE, "create table placed_orders (id int primary key, item int, price int)");
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            statement.execute("create or replace function place_order(o int, i int) returns void language plpgsql as"
                    + " $$ begin insert into placed_orders select o, id, price from priced_items where id = i; end $$");
            statement.execute("create or replace function log_order(o int) returns void language sql as"
                    + " $$ insert into placed_orders values (o, 0, 0) $$");
        }
        String place = "select place_order(0, 1)";
        String log = "select log_order(100)";
        // The proxy reads the functions again after the transaction that made them; until then a call is a write
        // of a function it does not know.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            do {
                statement.execute("delete from placed_orders");
                statement.execute(place);
            } while (!divergences.needingVerification().contains(place) && System.nanoTime() < deadline);
            statement.execute(log);
        }
        assertTrue(divergences.needingVerification().contains(place), divergences.needingVerification().toString());
        assertFalse(divergences.needingVerification().contains(log), "a body that reads no table is exact");
        try (Connection buyer = openProxy(SIMPLE); Connection seller = openProxy(SIMPLE)) {
            buyer.setAutoCommit(false);
            try (Statement statement = buyer.createStatement()) {
                statement.execute("select place_order(1, 1)");
            }
            try (Statement statement = seller.createStatement()) {
                assertEquals(1, statement.executeUpdate("update priced_items set price = 20 where id = 1"));
            }
            buyer.commit();
        }
        String order = "select price from placed_orders where id = 1";
        assertEquals("10", Psql.against(DualWriteDatabases.primary(DATABASE)).query(order));
        assertEquals("20", Psql.against(DualWriteDatabases.secondary(DATABASE)).query(order),
                "the secondary's call read the new price: the difference the listing is for");
    }

    /**
     * INSERTs through views whose columns PostgreSQL calls updatable but which take no value: a generated column of
     * the base table ({@code SELECT *} over it), and a base column shown twice ({@code SELECT a, b, a AS aa}). The
     * image gave them values, the target refused them, and the transaction was parked (the regression suite's
     * generated and updatable_views). A view written through an INSTEAD OF trigger still gets every column.
     */
    @Test
    void anInsertThroughAViewOverAGeneratedOrRepeatedColumnReachesTheTarget() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop view if exists gen_view, twice_view, twice_trigger_view");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists gen_base, twice_base, twice_log");
        DualWriteDatabases.onBoth(DATABASE, "create table gen_base (id bigserial primary key, n int, "
                + "plus int generated always as (n + 1) stored)");
        DualWriteDatabases.onBoth(DATABASE, "create view gen_view as select * from gen_base");
        DualWriteDatabases.onBoth(DATABASE, "create table twice_base (id bigserial primary key, b text)");
        DualWriteDatabases.onBoth(DATABASE, "create view twice_view as select id, b, id as again from twice_base");
        DualWriteDatabases.onBoth(DATABASE, "create table twice_log (id bigint, again bigint, b text)");
        DualWriteDatabases.onBoth(DATABASE, "create view twice_trigger_view as select id, b, id as again from "
                + "twice_base");
        DualWriteDatabases.onBoth(DATABASE, "create or replace function twice_insert() returns trigger language "
                + "plpgsql as $$ begin insert into twice_log values (new.id, new.again, new.b); return new; end $$");
        DualWriteDatabases.onBoth(DATABASE, "create trigger twice_insert instead of insert on twice_trigger_view "
                + "for each row execute function twice_insert()");
        double before = divergences.total();
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            assertEquals(1, statement.executeUpdate("insert into gen_view (n) values (5)"));
            assertEquals(2, statement.executeUpdate("insert into gen_view values (default, 6, default), "
                    + "(default, 7, default)"));
            assertEquals(1, statement.executeUpdate("insert into twice_view (b) values ('x')"));
            assertEquals(1, statement.executeUpdate("insert into twice_trigger_view values (41, 'y', 42)"));
        }
        CatchUpDrain.await(java.time.Duration.ofSeconds(30));
        DualWriteDatabases.assertIdentical(DATABASE, "gen_base", "twice_base", "twice_log");
        assertEquals(before, divergences.total(), "nothing diverged: " + divergences.recent());
    }

    /**
     * A view that does not show a column of its table with a default (here its {@code bigserial}): the image holds the
     * view's columns only, so each database draws the hidden one itself. Said, and the table listed for verification,
     * instead of silently hoping both draw the same.
     */
    @Test
    void anInsertThroughAViewHidingADrawnColumnIsListedForVerification() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop view if exists hiding_view");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists hiding_base");
        DualWriteDatabases.onBoth(DATABASE, "create table hiding_base (id bigserial primary key, b text, "
                + "fixed int default 7)");
        DualWriteDatabases.onBoth(DATABASE, "create view hiding_view as select b from hiding_base");
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            assertEquals(1, statement.executeUpdate("insert into hiding_view values ('hidden id')"));
        }
        CatchUpDrain.await(java.time.Duration.ofSeconds(30));
        assertTrue(divergences.needingVerification().contains("insert into hiding_view values ('hidden id')"),
                divergences.needingVerification().toString());
        // The columns the image carries are the same on both. The hidden id is each database's own draw: usually the
        // same on a fresh table, but the sequence follower (exodus.migration.sequence-follow) may set the secondary's
        // sequence past the primary's draw just before the secondary draws (seen once in the whole suite): the very
        // reason the table is listed for verification.
        String rows = "select string_agg(b || '/' || fixed, ',') from hiding_base";
        assertEquals(Psql.against(DualWriteDatabases.primary(DATABASE)).query(rows),
                Psql.against(DualWriteDatabases.secondary(DATABASE)).query(rows));
    }

    /**
     * A job queue's claim: each worker takes the first job no other worker holds ({@code FOR UPDATE SKIP LOCKED}).
     * Which job that is depends on the locks other transactions hold at that moment, which are not the same on the
     * target, where each transaction's statements arrive later (with its COMMIT): worker b, committing first, would
     * take job 1 there, which a holds on the source.
     */
    @ParameterizedTest
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void workersClaimingJobsWithSkipLockedGetTheSameJobsOnBothDatabases(String protocol) throws Exception {
        twoWorkersClaimJobs(protocol, "jobs", (worker, name) -> assertEquals(1, worker.executeUpdate("update jobs"
                + " set worker = '" + name + "' where id = (select id from jobs where worker is null order by id"
                + " limit 1 for update skip locked)")));
    }

    /**
     * The other shape of a job queue's claim: the worker reads the job it locks ({@code SELECT … FOR UPDATE SKIP
     * LOCKED}), then updates it by its id. On the target the two workers' locking reads could lock each other's job;
     * neither may wait there for the other, and both databases end with the same claims.
     */
    @ParameterizedTest
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void workersThatLockAJobWithSkipLockedThenUpdateItByIdEndIdentical(String protocol) throws Exception {
        twoWorkersClaimJobs(protocol, "locked_jobs", (worker, name) -> {
            int job;
            try (ResultSet rows = worker.executeQuery("select id from locked_jobs where worker is null order by id"
                    + " limit 1 for update skip locked")) {
                assertTrue(rows.next());
                job = rows.getInt(1);
            }
            assertEquals(1, worker.executeUpdate("update locked_jobs set worker = '" + name + "' where id = " + job));
        });
    }

    /** How a worker claims a job of the table, in its open transaction. */
    private interface JobClaim {
        void claim(Statement worker, String name) throws SQLException;
    }

    /**
     * Jobs 1 to 3 in a new table; worker a claims one, then b, each in a transaction of its own, and b commits first:
     * a holds job 1 and b job 2, on both databases.
     */
    private void twoWorkersClaimJobs(String protocol, String table, JobClaim claim) throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists " + table);
        DualWriteDatabases.onBoth(DATABASE, "create table " + table + " (id int primary key, worker text)");
        DualWriteDatabases.onBoth(DATABASE, "insert into " + table + " select g, null from generate_series(1, 3) g");
        try (Connection a = openProxy(protocol); Connection b = openProxy(protocol);
                Statement onA = a.createStatement(); Statement onB = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            claim.claim(onA, "a");
            claim.claim(onB, "b");
            b.commit();
            a.commit();
        }
        CatchUpDrain.await(java.time.Duration.ofSeconds(30));
        assertEquals("1=a,2=b,3=", Psql.against(DualWriteDatabases.primary(DATABASE))
                .query("select string_agg(id || '=' || coalesce(worker, ''), ',' order by id) from " + table));
        DualWriteDatabases.assertIdentical(DATABASE, table);
    }

    /**
     * An UPDATE that reads rows it does not change (a total kept from its items) sees them as they are when it runs,
     * which on the target is later: with its transaction's COMMIT. An item another session added meanwhile is in the
     * target's total and not in the source's, with the same row count. The source's updated rows are copied instead.
     */
    @ParameterizedTest
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void anUpdateReadingOtherRowsGivesTheTargetTheSourcesValues(String protocol) throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists order_items, orders");
        DualWriteDatabases.onBoth(DATABASE, "create table orders (id int primary key, total int)");
        DualWriteDatabases.onBoth(DATABASE, "create table order_items (id int primary key, order_id int, amount int)");
        DualWriteDatabases.onBoth(DATABASE, "insert into orders values (1, 0), (2, 0), (3, 0)");
        DualWriteDatabases.onBoth(DATABASE, "insert into order_items values (1, 1, 10), (2, 2, 7), (4, 3, 1)");
        DualWriteDatabases.onBoth(DATABASE, "create or replace function order_total(int) returns int stable "
                + "language sql as $$ select sum(amount)::int from order_items where order_id = $1 $$");
        try (Connection a = openProxy(protocol); Connection b = openProxy(protocol);
                Statement onA = a.createStatement(); Statement onB = b.createStatement()) {
            a.setAutoCommit(false);
            assertEquals(1, onA.executeUpdate("update orders set total = (select sum(amount) from order_items"
                    + " where order_id = orders.id) where id = 1"));
            assertEquals(1, onA.executeUpdate("delete from orders where id = 2 and exists (select 1 from order_items"
                    + " where order_id = 2 and amount < 8)"));
            // The same read, hidden in a function of the database.
            assertEquals(1, onA.executeUpdate("update orders set total = order_total(id) where id = 3"));
            assertEquals(2, onB.executeUpdate("insert into order_items values (3, 1, 5), (5, 3, 2)"));
            assertEquals(1, onB.executeUpdate("update order_items set amount = 9 where id = 2"));
            a.commit();
        }
        CatchUpDrain.await(java.time.Duration.ofSeconds(30));
        assertEquals("1=10,3=1", Psql.against(DualWriteDatabases.primary(DATABASE))
                .query("select string_agg(id || '=' || total, ',' order by id) from orders"));
        DualWriteDatabases.assertIdentical(DATABASE, "orders", "order_items");
    }

    /**
     * A batch of expired rows deleted by LIMIT (the usual way to delete in small batches), and one by ctid: which rows
     * a LIMIT without ORDER BY finds first is their physical order, which the same rows need not share on the target.
     * The source's deleted rows are deleted there instead, found by key. An aggregate without an ORDER BY lists rows
     * in that order too.
     */
    @ParameterizedTest
    @ValueSource(strings = { EXTENDED, SIMPLE })
    void aBatchDeletedByLimitOrCtidIsTheSameRowsOnBothDatabases(String protocol) throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists expiring");
        DualWriteDatabases.onBoth(DATABASE, "create table expiring (id int primary key, expired boolean not null, "
                + "summary text)");
        Psql.against(DualWriteDatabases.primary(DATABASE)).query("insert into expiring select g, true"
                + " from generate_series(1, 6) g");
        Psql.against(DualWriteDatabases.secondary(DATABASE)).query("insert into expiring select g, true"
                + " from generate_series(6, 1, -1) g");
        try (Connection client = openProxy(protocol); Statement statement = client.createStatement()) {
            assertEquals(2, statement.executeUpdate("delete from expiring where id in (select id from expiring"
                    + " where expired limit 2)"));
            assertEquals(1, statement.executeUpdate("delete from expiring where ctid = any(array(select ctid"
                    + " from expiring where expired limit 1))"));
            assertEquals(1, statement.executeUpdate("update expiring set expired = false where id = (select id"
                    + " from expiring where expired fetch first 1 rows only)"));
            // The aggregate lists the rows in the order they come: physical order, which differs on the target.
            assertEquals(1, statement.executeUpdate("update expiring set summary = (select string_agg(id::text, ',')"
                    + " from expiring) where id = (select min(id) from expiring)"));
        }
        DualWriteDatabases.assertIdentical(DATABASE, "expiring");
    }

    /**
     * A batch delete whose rows would take more memory than exodus.migration.row-image-max-bytes allows: Exodus stops
     * keeping them, the target runs the statement's text and deletes the rows its own physical order finds first.
     * Not silent: the client gets the source's answer, and the statement is counted and listed for verification.
     */
    @Test
    void aStatementWithMoreRowsThanAnImageMayHoldRunsAsTextAndIsListedForVerification() throws Exception {
        int rows = 120_000;
        int deleted = 90_000;
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists purged");
        DualWriteDatabases.onBoth(DATABASE, "create table purged (id int primary key, expired boolean not null)");
        Psql.against(DualWriteDatabases.primary(DATABASE)).query("insert into purged select g, true"
                + " from generate_series(1, " + rows + ") g");
        Psql.against(DualWriteDatabases.secondary(DATABASE)).query("insert into purged select g, true"
                + " from generate_series(" + rows + ", 1, -1) g");
        String delete = "delete from purged where id in (select id from purged where expired limit " + deleted + ")";
        // Each row returned is an int and a boolean, about 16 bytes, and what holding a row costs besides.
        assertTrue(deleted * (16L + CapturedRows.ROW_OVERHEAD) > 1.5 * DualWriteProfile.ROW_IMAGE_MAX_BYTES,
                "the image must pass the bound");
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            assertEquals(deleted, statement.executeUpdate(delete));
            assertEquals(rows - deleted, singleLong(statement.executeQuery("select count(*) from purged")));
        }
        assertTrue(divergences.needingVerification().contains(delete), divergences.needingVerification().toString());
        String left = "select min(id) || '-' || max(id) || ':' || count(*) from purged";
        assertEquals("90001-120000:30000", Psql.against(DualWriteDatabases.primary(DATABASE)).query(left));
        assertEquals("1-30000:30000", Psql.against(DualWriteDatabases.secondary(DATABASE)).query(left),
                "the target deleted the rows it found first: the difference the listing is for");
    }

    /**
     * A bigserial column added to a table with rows: each database numbers its rows in its own physical order. The same
     * two rows stored in the other order on the target (as a sync's copy or the two databases' vacuums may leave them)
     * get each other's numbers there. Not silent: the statement is counted and listed for verification.
     */
    @Test
    void aSerialColumnAddedToExistingRowsIsListedForVerification() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists renumbered");
        DualWriteDatabases.onBoth(DATABASE, "create table renumbered (id int primary key)");
        Psql.against(DualWriteDatabases.primary(DATABASE)).query("insert into renumbered values (1), (2)");
        Psql.against(DualWriteDatabases.secondary(DATABASE)).query("insert into renumbered values (2), (1)");
        String alter = "alter table renumbered add column n bigserial";
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            statement.execute(alter);
        }
        assertTrue(divergences.needingVerification().contains(alter), divergences.needingVerification().toString());
        String numbers = "select string_agg(id || '=' || n, ',' order by id) from renumbered";
        assertEquals("1=1,2=2", Psql.against(DualWriteDatabases.primary(DATABASE)).query(numbers));
        assertEquals("1=2,2=1", Psql.against(DualWriteDatabases.secondary(DATABASE)).query(numbers),
                "each database numbered its rows in its own order: the difference the listing is for");
    }

    /**
     * An INSERT through an updatable view with a column that is an expression: the image gave that column the
     * source's value, which the target refuses ("cannot insert into column … of view"), and the transaction went to
     * the queue and was parked (the regression suite's updatable_views). Such columns are now left to the target.
     */
    @Test
    void anInsertThroughAViewWithAnExpressionColumnReachesTheTarget() throws Exception {
        DualWriteDatabases.onBoth(DATABASE, "drop view if exists shown_view");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists shown");
        DualWriteDatabases.onBoth(DATABASE, "create table shown (id bigserial primary key, b text, at timestamptz "
                + "default now())");
        DualWriteDatabases.onBoth(DATABASE, "create view shown_view as select id, b, b || '!' as loud, at from shown");
        // A view written through an INSTEAD OF trigger: every column takes a value (the regression suite's city_view).
        DualWriteDatabases.onBoth(DATABASE, "drop view if exists city_view");
        DualWriteDatabases.onBoth(DATABASE, "drop table if exists city");
        DualWriteDatabases.onBoth(DATABASE, "create table city (name text primary key, pop int not null)");
        DualWriteDatabases.onBoth(DATABASE, "create view city_view as select name, pop, upper(name) as shout from city");
        DualWriteDatabases.onBoth(DATABASE, "create or replace function city_insert() returns trigger language plpgsql "
                + "as $$ begin insert into city values (new.name, new.pop); return new; end $$");
        DualWriteDatabases.onBoth(DATABASE, "create trigger city_insert instead of insert on city_view for each row "
                + "execute function city_insert()");
        double before = divergences.total();
        try (Connection client = openProxy(SIMPLE); Statement statement = client.createStatement()) {
            assertEquals(1, statement.executeUpdate("insert into shown_view (b) values ('x')"));
            assertEquals(1, statement.executeUpdate("insert into city_view (name, pop) values ('Oslo', 700000)"));
            try (ResultSet returned = statement.executeQuery("insert into city_view (name, pop) values ('Bergen', "
                    + "290000) returning *")) {
                assertTrue(returned.next());
                assertEquals("Bergen", returned.getString("name"));
            }
        }
        CatchUpDrain.await(java.time.Duration.ofSeconds(30));
        DualWriteDatabases.assertIdentical(DATABASE, "shown", "city");
        assertEquals(before, divergences.total(), "nothing diverged: " + divergences.recent());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /**
     * Partitioning by inheritance (the regression suite's merge test): a BEFORE INSERT trigger puts each row into a
     * child table and returns NULL, so the INSERT itself inserts nothing and RETURNING * returns nothing. The row
     * image of the parent was empty, and the target's children never got the rows: INSERT 0 0 on both, silently. The
     * target now runs the text, through its own trigger; the values each database draws (the bigserial, now()) are
     * counted and the statements listed for verification.
     */
    @Test
    void rowsATriggerRedirectsToAnotherTableReachTheTarget() throws Exception {
        CommandResult setUp = Psql.against(proxy()).script("""
                CREATE TABLE redirected (id bigserial, city int, at date, noted timestamptz DEFAULT now());
                CREATE TABLE redirected_2006 (CHECK (at < DATE '2007-01-01')) INHERITS (redirected);
                CREATE TABLE redirected_2007 (CHECK (at >= DATE '2007-01-01')) INHERITS (redirected);
                CREATE FUNCTION redirect() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.at < DATE '2007-01-01' THEN
                        INSERT INTO redirected_2006 VALUES (NEW.*);
                    ELSE
                        INSERT INTO redirected_2007 VALUES (NEW.*);
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER redirect BEFORE INSERT ON redirected FOR EACH ROW EXECUTE FUNCTION redirect();
                INSERT INTO redirected (city, at) VALUES (1, '2006-02-10');
                INSERT INTO redirected (city, at) VALUES (1, '2007-01-15'), (2, '2006-03-01');
                BEGIN;
                INSERT INTO redirected (city, at) SELECT g, DATE '2006-01-01' + g FROM generate_series(1, 5) g;
                COMMIT;
                """);
        assertTrue(setUp.succeeded(), setUp.toString());
        List<String> rows = new java.util.ArrayList<>();
        for (ConnectionTarget side : List.of(DualWriteDatabases.source(DATABASE), DualWriteDatabases.target(DATABASE))) {
            rows.add(Psql.against(side).query("select string_agg(tableoid::regclass || ':' || city || ':' || at, ' ' "
                    + "order by tableoid::regclass::text, city, at) from redirected"));
        }
        assertEquals(rows.get(0), rows.get(1));
        assertEquals(8, rows.get(1).split(" ").length, rows.get(1));
        assertTrue(divergences.needingVerification().stream().anyMatch(text -> text.contains("redirected")),
                divergences.needingVerification().toString());
    }

    private ConnectionTarget proxy() {
        return DualWriteDatabases.proxy(port, DATABASE);
    }

    private Connection openProxy(String protocol) throws SQLException {
        return SIMPLE.equals(protocol) ? DualWriteDatabases.open(proxy(), "preferQueryMode", "simple")
                : DualWriteDatabases.open(proxy());
    }

    private void assertCopiedUpdatesNotListed(double listedBefore) {
        assertEquals(listedBefore, divergences.needingVerification().size(),
                "copied UPDATEs are not listed for verification: " + divergences.needingVerification());
    }

    private static void createMadeUpValuesTable(String table) throws SQLException {
        DeterministicValuesWorkload shape = new DeterministicValuesWorkload(table);
        shape.create(DualWriteDatabases.source(DATABASE));
        shape.create(DualWriteDatabases.target(DATABASE));
    }

    /** Every column of the current row as the driver's text, by lower-case label. */
    private static Map<String, String> rowOf(ResultSet rows) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        Map<String, String> row = new LinkedHashMap<>();
        for (int column = 1; column <= meta.getColumnCount(); column++) {
            row.put(meta.getColumnLabel(column).toLowerCase(Locale.ROOT), rows.getString(column));
        }
        return row;
    }

    /** Each returned row, column by column, is what source and target store under its id. */
    private static void assertReturnedAsStored(String table, List<Map<String, String>> returned) throws SQLException {
        for (ConnectionTarget side : new ConnectionTarget[] { DualWriteDatabases.source(DATABASE),
                DualWriteDatabases.target(DATABASE) }) {
            try (Connection connection = DualWriteDatabases.open(side);
                    PreparedStatement select = connection.prepareStatement("select * from " + table + " where id = ?")) {
                for (Map<String, String> row : returned) {
                    assertNotNull(row.get("id"), "the returned row has no id: " + row);
                    select.setLong(1, Long.parseLong(row.get("id")));
                    try (ResultSet stored = select.executeQuery()) {
                        assertTrue(stored.next(), "no row " + row.get("id") + " on " + side);
                        Map<String, String> storedRow = rowOf(stored);
                        for (Map.Entry<String, String> column : row.entrySet()) {
                            assertEquals(storedRow.get(column.getKey()), column.getValue(),
                                    column.getKey() + " as returned vs as stored on " + side);
                        }
                    }
                }
            }
        }
    }

    private static int insertKeys(Connection client, String table, int... keys) throws SQLException {
        StringBuilder sql = new StringBuilder("insert into " + table + " (k) values ");
        for (int i = 0; i < keys.length; i++) {
            sql.append(i == 0 ? "(?)" : ", (?)");
        }
        sql.append(" on conflict do nothing");
        try (PreparedStatement insert = client.prepareStatement(sql.toString())) {
            for (int i = 0; i < keys.length; i++) {
                insert.setInt(i + 1, keys[i]);
            }
            return insert.executeUpdate();
        }
    }

    private static long count(ConnectionTarget side, String table) throws SQLException {
        try (Connection connection = DualWriteDatabases.open(side); Statement statement = connection.createStatement()) {
            return singleLong(statement.executeQuery("select count(*) from " + table));
        }
    }

    private static long lastValue(ConnectionTarget side, String sequence) throws SQLException {
        try (Connection connection = DualWriteDatabases.open(side); Statement statement = connection.createStatement()) {
            return singleLong(statement.executeQuery("select last_value from " + sequence));
        }
    }

    private static long singleLong(ResultSet result) throws SQLException {
        try (result) {
            assertTrue(result.next());
            return result.getLong(1);
        }
    }
}
