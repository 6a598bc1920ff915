package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TableComparisonTest {

    private static final String VALUE_COLUMNS = "id int, label text, score double precision, at timestamptz";
    private static final String VALUE_ROWS = "(1, 'plain', 0.1, '2024-05-01 12:00:00.123456+02'),"
            + " (2, NULL, NULL, NULL),"
            + " (3, '', 'NaN', 'infinity'),"
            + " (4, 'comma, \"quote\", back\\slash and ünïcode', 1e-300, '1999-12-31 23:59:59.999999+00')";

    @Test
    void identicalTablesAreReportedIdentical() throws SQLException {
        String table = "table_comparison_identical";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);

        TableDifference difference = compare(table);

        assertTrue(difference.identical(), difference.toString());
        assertEquals(4, difference.rowsOnA());
        assertEquals(4, difference.rowsOnB());
        assertEquals(table + ": identical, 4 rows on both sides", difference.toString());
        TableComparison.assertIdentical(a(), b(), table);
    }

    @Test
    void aChangedValueIsOneRowOnlyOnEachSide() throws SQLException {
        String table = "table_comparison_changed";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "UPDATE " + table + " SET label = 'changed' WHERE id = 1");

        TableDifference difference = compare(table);

        assertFalse(difference.identical());
        assertEquals(1, difference.onlyOnA());
        assertEquals(1, difference.onlyOnB());
        assertEquals(List.of("(1,plain,0.1,\"2024-05-01 10:00:00.123456+00\")"), difference.onlyOnAExamples());
        assertEquals(List.of("(1,changed,0.1,\"2024-05-01 10:00:00.123456+00\")"), difference.onlyOnBExamples());
        String report = difference.toString();
        assertTrue(report.contains("only on a: (1,plain,"), report);
        assertTrue(report.contains("only on b: (1,changed,"), report);
        assertTrue(report.contains("rows are (id,label,score,at)"), report);
    }

    @Test
    void aRowMissingOnBIsOnlyOnA() throws SQLException {
        String table = "table_comparison_missing_row";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "DELETE FROM " + table + " WHERE id = 2");

        TableDifference difference = compare(table);

        assertEquals(4, difference.rowsOnA());
        assertEquals(3, difference.rowsOnB());
        assertEquals(List.of("(2,,,)"), difference.onlyOnAExamples());
        assertEquals(0, difference.onlyOnB());
    }

    @Test
    void anExtraRowOnBIsOnlyOnB() throws SQLException {
        String table = "table_comparison_extra_row";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "INSERT INTO " + table + " VALUES (5, 'extra', 5, NULL)");

        TableDifference difference = compare(table);

        assertEquals(0, difference.onlyOnA());
        assertEquals(List.of("(5,extra,5,)"), difference.onlyOnBExamples());
        assertEquals(5, difference.rowsOnB());
    }

    @Test
    void nullAndTheEmptyStringDiffer() throws SQLException {
        String table = "table_comparison_null_and_empty";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "UPDATE " + table + " SET label = '' WHERE id = 2");

        TableDifference difference = compare(table);

        assertEquals(List.of("(2,,,)"), difference.onlyOnAExamples());
        assertEquals(List.of("(2,\"\",,)"), difference.onlyOnBExamples());
    }

    @Test
    void floatsThatDifferInTheLastBitDiffer() throws SQLException {
        String table = "table_comparison_float_bit";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        // The double right after 0.1.
        execute(b(), "UPDATE " + table + " SET score = 0.10000000000000002 WHERE id = 1");

        TableDifference difference = compare(table);

        assertEquals(1, difference.onlyOnA(), difference.toString());
        assertTrue(difference.onlyOnBExamples().get(0).contains(",0.10000000000000002,"), difference.toString());
    }

    @Test
    void timestampsOneMicrosecondApartDiffer() throws SQLException {
        String table = "table_comparison_microsecond";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "UPDATE " + table + " SET at = at + interval '1 microsecond' WHERE id = 4");

        TableDifference difference = compare(table);

        assertEquals(1, difference.onlyOnA(), difference.toString());
        assertTrue(difference.onlyOnAExamples().get(0).endsWith("\"1999-12-31 23:59:59.999999+00\")"),
                difference.toString());
        assertTrue(difference.onlyOnBExamples().get(0).endsWith("\"2000-01-01 00:00:00+00\")"), difference.toString());
    }

    @Test
    void aDuplicatedRowCountsOncePerCopy() throws SQLException {
        String table = "table_comparison_duplicate";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(a(), "INSERT INTO " + table + " VALUES (3, '', 'NaN', 'infinity'), (3, '', 'NaN', 'infinity')");

        TableDifference difference = compare(table);

        assertEquals(2, difference.onlyOnA());
        assertEquals(List.of("(3,\"\",NaN,infinity)", "(3,\"\",NaN,infinity)"), difference.onlyOnAExamples());
        assertEquals(0, difference.onlyOnB());
    }

    @Test
    void printedValuesDoNotDependOnTheSessionDefaultsOfEitherSide() throws SQLException {
        String table = "table_comparison_session_defaults";
        createOnBoth(table, VALUE_COLUMNS + ", day date, span interval, data bytea",
                "(1, 'x', 1.0 / 3, '2024-05-01 12:00:00.5+02', '2024-05-01', '1 day 2 hours 3.5 seconds', '\\x00ff')");
        String role = "table_comparison_far_away";
        execute(b(), "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role + "') THEN"
                + " CREATE ROLE " + role + " LOGIN PASSWORD 'far-away'; END IF; END $$");
        // pgJDBC itself sends TimeZone, DateStyle and extra_float_digits at login, overriding a role's defaults; so
        // these are the settings in which two JDBC sessions can differ.
        execute(b(), "ALTER ROLE " + role + " SET IntervalStyle = 'sql_standard'");
        execute(b(), "ALTER ROLE " + role + " SET bytea_output = 'escape'");
        execute(b(), "GRANT SELECT ON " + table + " TO " + role);
        ConnectionTarget farAway = b().withUser(role, "far-away");
        assertEquals("sql_standard", query(farAway, "SHOW IntervalStyle"));
        assertEquals("escape", query(farAway, "SHOW bytea_output"));

        TableDifference difference = TableComparison.compare(a(), farAway, table).get(0);

        assertTrue(difference.identical(), difference.toString());
    }

    @Test
    void aTableMissingOnOneSideIsADifference() throws SQLException {
        String table = "table_comparison_only_on_a";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "DROP TABLE " + table);

        TableDifference difference = compare(table);

        assertFalse(difference.identical());
        assertEquals("missing on b", difference.structureDifference().orElseThrow());
        assertEquals(4, difference.rowsOnA());
        assertTrue(difference.toString().contains("missing on b"), difference.toString());
    }

    @Test
    void aColumnOfAnotherTypeIsADifference() throws SQLException {
        String table = "table_comparison_column_type";
        createOnBoth(table, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "ALTER TABLE " + table + " ALTER COLUMN id TYPE bigint");

        TableDifference difference = compare(table);

        assertTrue(difference.structureDifference().orElseThrow().contains("id bigint"), difference.toString());
    }

    @Test
    void columnsInAnotherOrderCompareByValue() throws SQLException {
        String table = "table_comparison_column_order";
        execute(a(), "DROP TABLE IF EXISTS " + table);
        execute(b(), "DROP TABLE IF EXISTS " + table);
        execute(a(), "CREATE TABLE " + table + " (id int, \"Label\" text)");
        execute(b(), "CREATE TABLE " + table + " (\"Label\" text, id int)");
        execute(a(), "INSERT INTO " + table + " VALUES (1, 'one'), (2, NULL)");
        execute(b(), "INSERT INTO " + table + " VALUES ('one', 1), (NULL, 2)");

        assertTrue(compare(table).identical(), compare(table).toString());
    }

    @Test
    void assertIdenticalThrowsTheReportOfEveryDifferingTable() throws SQLException {
        String same = "table_comparison_assert_same";
        String changed = "table_comparison_assert_changed";
        createOnBoth(same, VALUE_COLUMNS, VALUE_ROWS);
        createOnBoth(changed, VALUE_COLUMNS, VALUE_ROWS);
        execute(b(), "UPDATE " + changed + " SET score = 2 WHERE id = 1");

        AssertionError failure = assertThrows(AssertionError.class,
                () -> TableComparison.assertIdentical(a(), b(), same, changed));

        String message = failure.getMessage();
        assertTrue(message.startsWith("1 of 2 tables differ"), message);
        assertTrue(message.contains(changed + ": differs"), message);
        assertTrue(message.contains("only on b: (1,plain,2,"), message);
        assertFalse(message.contains(same + ":"), message);
        assertFalse(message.contains(":" + TestUsers.SUPERUSER_PASSWORD + "@"), message);
    }

    @Test
    void aHundredThousandRowsAreStreamedAndMerged() throws SQLException {
        String table = "table_comparison_large";
        for (ConnectionTarget side : List.of(a(), b())) {
            execute(side, "DROP TABLE IF EXISTS " + table);
            execute(side, "CREATE TABLE " + table + " AS SELECT g AS id, g * 0.5 AS half, repeat('x', 80) AS filler"
                    + " FROM generate_series(1, 100000) g");
        }
        execute(b(), "UPDATE " + table + " SET half = -1 WHERE id = 54321");
        execute(b(), "DELETE FROM " + table + " WHERE id = 77777");

        TableDifference difference = compare(table);

        assertEquals(100_000, difference.rowsOnA());
        assertEquals(99_999, difference.rowsOnB());
        assertEquals(2, difference.onlyOnA(), difference.toString());
        assertEquals(1, difference.onlyOnB(), difference.toString());
    }

    @Test
    void pgbenchTablesInitializedOnBothSidesAreIdenticalUntilARunOnOneSide() throws SQLException {
        String database = "table_comparison_pgbench";
        for (ConnectionTarget side : List.of(a(), b())) {
            if (query(side, "SELECT count(*) FROM pg_database WHERE datname = '" + database + "'").equals("0")) {
                execute(side, "CREATE DATABASE " + database);
            }
            Pgbench.against(side.withDatabase(database)).initialize(1).requireSuccess();
        }
        ConnectionTarget onA = a().withDatabase(database);
        ConnectionTarget onB = b().withDatabase(database);
        TableComparison.assertIdentical(onA, onB, TableComparison.PGBENCH_TABLES);

        Pgbench.against(onA).run(QueryMode.PREPARED, 1, 1, 10, BuiltinScript.TPCB_LIKE).requireSuccess();

        List<TableDifference> differences = TableComparison.compare(onA, onB, TableComparison.PGBENCH_TABLES);
        assertEquals(10, differences.get(3).onlyOnA(), differences.get(3).toString());
        assertTrue(differences.stream().noneMatch(TableDifference::identical), differences.toString());
    }

    @Test
    void rowsAreOrderedByCodePointLikeCollateC() {
        assertTrue(TableComparison.compareCodePoints("(1,a)", "(1,b)") < 0);
        assertTrue(TableComparison.compareCodePoints("(1,a)", "(1,a,)") < 0);
        assertEquals(0, TableComparison.compareCodePoints("(ü)", "(ü)"));
        // U+FF21 sorts before U+1F600 in UTF-8, although its UTF-16 code unit is greater than a surrogate.
        assertTrue(TableComparison.compareCodePoints("\uFF21", "\uD83D\uDE00") < 0);
    }

    private static TableDifference compare(String table) throws SQLException {
        List<TableDifference> differences = TableComparison.compare(a(), b(), table);
        assertEquals(1, differences.size());
        return differences.get(0);
    }

    private static void createOnBoth(String table, String columns, String rows) throws SQLException {
        for (ConnectionTarget side : List.of(a(), b())) {
            execute(side, "DROP TABLE IF EXISTS " + table);
            execute(side, "CREATE TABLE " + table + " (" + columns + ")");
            execute(side, "INSERT INTO " + table + " VALUES " + rows);
        }
    }

    private static void execute(ConnectionTarget target, String sql) throws SQLException {
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String query(ConnectionTarget target, String sql) throws SQLException {
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            assertTrue(result.next(), sql);
            return result.getString(1);
        }
    }

    private static ConnectionTarget a() {
        return ConnectionTarget.superuser(TestDatabases.source());
    }

    private static ConnectionTarget b() {
        return ConnectionTarget.superuser(TestDatabases.target());
    }
}
