package io.exodus.testsupport;

import io.exodus.canonical.CanonicalRow;
import io.exodus.canonical.CanonicalSettings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Compares the full contents of tables on two databases, row by row, as a dual-write test needs after its workload:
 * not counts, every value.
 *
 * <p>Each row is read as its canonical text, the one the proxy's verification hashes ({@link CanonicalRow}: the text
 * of {@code ROW(col1, col2, ...)}, PostgreSQL's own output of every value, which keeps NULL ({@code (,x)}) apart from
 * the empty string ({@code ("",x)}), floats to the last bit and timestamps to the microsecond), under the settings
 * verification pins ({@link CanonicalSettings}), so that tests and users trust one definition of equal rows. Both
 * sides are sorted by the server in code point order ({@code COLLATE "C"} on a UTF-8 database), streamed with a
 * fetch size and merged, so a 100,000-row pgbench_accounts needs no memory to speak of.
 */
public final class TableComparison {

    /** The tables {@code pgbench -i} creates. */
    public static final String[] PGBENCH_TABLES = {
            "pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history"};

    private static final int FETCH_SIZE = 5_000;
    private static final int SOCKET_TIMEOUT_SECONDS = 300;
    private TableComparison() {
    }

    /**
     * Throws an {@link AssertionError} listing every table that differs, with example rows.
     *
     * @param tables names as SQL would write them: {@code bank}, {@code app.bank}, {@code "Mixed"}
     */
    public static void assertIdentical(ConnectionTarget a, ConnectionTarget b, String... tables) throws SQLException {
        List<TableDifference> differing = compare(a, b, tables).stream()
                .filter(difference -> !difference.identical())
                .collect(Collectors.toList());
        if (!differing.isEmpty()) {
            throw new AssertionError(differing.size() + " of " + tables.length + " tables differ between a "
                    + describe(a) + " and b " + describe(b) + ":\n"
                    + differing.stream().map(TableDifference::toString).collect(Collectors.joining("\n")));
        }
    }

    /**
     * One report per table, in the order given. Each side reads all tables in one repeatable-read snapshot.
     *
     * @param tables names as SQL would write them: {@code bank}, {@code app.bank}, {@code "Mixed"}
     */
    public static List<TableDifference> compare(ConnectionTarget a, ConnectionTarget b, String... tables)
            throws SQLException {
        try (Connection onA = openSnapshot(a); Connection onB = openSnapshot(b)) {
            List<TableDifference> differences = new ArrayList<>();
            for (String table : tables) {
                differences.add(compareTable(table, new Side(describe(a), onA), new Side(describe(b), onB)));
            }
            onA.rollback();
            onB.rollback();
            return differences;
        }
    }

    private static TableDifference compareTable(String table, Side a, Side b) throws SQLException {
        Optional<Map<String, String>> columnsOnA = columns(a.connection(), table);
        Optional<Map<String, String>> columnsOnB = columns(b.connection(), table);
        if (columnsOnA.isEmpty() || columnsOnB.isEmpty() || !columnsOnA.get().equals(columnsOnB.get())) {
            String difference = columnsOnA.isEmpty() && columnsOnB.isEmpty() ? "missing on both sides"
                    : columnsOnA.isEmpty() ? "missing on a"
                    : columnsOnB.isEmpty() ? "missing on b"
                    : "columns differ: a has " + columnList(columnsOnA.get()) + ", b has "
                            + columnList(columnsOnB.get());
            return new TableDifference(table, a.description(), b.description(),
                    List.copyOf(columnsOnA.orElse(Map.of()).keySet()),
                    columnsOnA.isPresent() ? count(a.connection(), table) : 0,
                    columnsOnB.isPresent() ? count(b.connection(), table) : 0,
                    0, 0, List.of(), List.of(), Optional.of(difference));
        }
        List<String> columns = List.copyOf(columnsOnA.get().keySet());
        // Columns in a's order on both sides, so that a table whose columns were created in another order still
        // compares by value.
        String rowsInOrder = "SELECT " + CanonicalRow.text(columns) + " COLLATE \"C\" FROM " + table + " AS "
                + CanonicalRow.ALIAS + " ORDER BY 1";
        try (Statement statementA = a.connection().createStatement();
                Statement statementB = b.connection().createStatement()) {
            statementA.setFetchSize(FETCH_SIZE);
            statementB.setFetchSize(FETCH_SIZE);
            try (ResultSet rowsA = statementA.executeQuery(rowsInOrder);
                    ResultSet rowsB = statementB.executeQuery(rowsInOrder)) {
                return merge(table, columns, new SortedRows(rowsA, table, "a"), new SortedRows(rowsB, table, "b"),
                        a.description(), b.description());
            }
        }
    }

    private static TableDifference merge(String table, List<String> columns, SortedRows a, SortedRows b,
            String sideA, String sideB) throws SQLException {
        List<String> onlyOnAExamples = new ArrayList<>();
        List<String> onlyOnBExamples = new ArrayList<>();
        long onlyOnA = 0;
        long onlyOnB = 0;
        String rowA = a.next();
        String rowB = b.next();
        while (rowA != null || rowB != null) {
            int order = rowA == null ? 1 : rowB == null ? -1 : compareCodePoints(rowA, rowB);
            if (order < 0) {
                onlyOnA++;
                addExample(onlyOnAExamples, rowA);
                rowA = a.next();
            } else if (order > 0) {
                onlyOnB++;
                addExample(onlyOnBExamples, rowB);
                rowB = b.next();
            } else {
                rowA = a.next();
                rowB = b.next();
            }
        }
        return new TableDifference(table, sideA, sideB, columns, a.count(), b.count(), onlyOnA, onlyOnB,
                onlyOnAExamples, onlyOnBExamples, Optional.empty());
    }

    private static void addExample(List<String> examples, String row) {
        if (examples.size() < TableDifference.MAX_EXAMPLES) {
            examples.add(row);
        }
    }

    /** The order of {@code COLLATE "C"} on a UTF-8 database, which is byte order, which is code point order. */
    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int codePointX = x.codePointAt(i);
            int codePointY = y.codePointAt(j);
            if (codePointX != codePointY) {
                return Integer.compare(codePointX, codePointY);
            }
            i += Character.charCount(codePointX);
            j += Character.charCount(codePointY);
        }
        return Boolean.compare(i < x.length(), j < y.length());
    }

    /** Column name to its type, in column order; empty if there is no such table. */
    private static Optional<Map<String, String>> columns(Connection connection, String table) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, table);
            try (ResultSet result = exists.executeQuery()) {
                result.next();
                if (!result.getBoolean(1)) {
                    return Optional.empty();
                }
            }
        }
        Map<String, String> columns = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                        + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            query.setString(1, table);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    columns.put(result.getString(1), result.getString(2));
                }
            }
        }
        return Optional.of(columns);
    }

    private static String columnList(Map<String, String> columns) {
        return columns.entrySet().stream().map(column -> column.getKey() + " " + column.getValue())
                .collect(Collectors.joining(", ", "(", ")"));
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
            result.next();
            return result.getLong(1);
        }
    }

    private static Connection openSnapshot(ConnectionTarget target) throws SQLException {
        Properties timeouts = new Properties();
        // Bounded, so that a proxy that stopped answering fails the comparison instead of hanging the test.
        timeouts.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        Connection connection = target.openJdbc(timeouts);
        try {
            try (Statement statement = connection.createStatement()) {
                for (String setting : CanonicalSettings.STATEMENTS) {
                    statement.execute(setting);
                }
            }
            // pgJDBC streams with a cursor only inside a transaction.
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private static String describe(ConnectionTarget target) {
        return "(" + target.user() + "@" + target.host() + ":" + target.port() + "/" + target.database() + ")";
    }

    private record Side(String description, Connection connection) {
    }

    /** A result set sorted by the server, checked as it is read: a merge of unsorted input would report nonsense. */
    private static final class SortedRows {

        private final ResultSet rows;
        private final String table;
        private final String side;
        private String previous;
        private long count;

        SortedRows(ResultSet rows, String table, String side) {
            this.rows = rows;
            this.table = table;
            this.side = side;
        }

        /** The next row's text, or null after the last row. */
        String next() throws SQLException {
            if (!rows.next()) {
                return null;
            }
            String row = rows.getString(1);
            if (previous != null && compareCodePoints(previous, row) > 0) {
                throw new IllegalStateException("The rows of " + table + " on " + side + " do not come in code point"
                        + " order (is the database not UTF-8?): " + previous + " before " + row);
            }
            previous = row;
            count++;
            return row;
        }

        long count() {
            return count;
        }
    }
}
