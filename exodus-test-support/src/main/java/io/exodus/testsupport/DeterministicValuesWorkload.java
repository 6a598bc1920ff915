package io.exodus.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent INSERTs whose values the server makes up: a bigserial id, an identity column, {@code now()},
 * {@code gen_random_uuid()} and {@code random()}. Run through a dual-write proxy, source and target only end up equal
 * (by {@link TableComparison}) if the proxy pins those values instead of letting each server choose its own.
 *
 * <p>Each client cycles through five forms of INSERT, starting at its own index so that different forms run at the
 * same time: a prepared statement with a parameter, plain SQL text, a multi-row VALUES, an INSERT ... SELECT over
 * generate_series, and an INSERT ... RETURNING * whose row is read back. Even-numbered clients use pgJDBC's default
 * extended query protocol, odd-numbered ones {@code preferQueryMode=simple}, which sends everything as simple Query
 * messages with the parameters inlined. The {@code note} column says which client and statement wrote a row
 * ({@code c3-s17}), to make a difference report readable.
 *
 * <p>Like {@link BankWorkload}, a failed statement is counted and the client goes on, reconnecting if needed.
 */
public final class DeterministicValuesWorkload {

    private final String table;
    private final Duration socketTimeout;

    /** @param table as SQL would write it, schema-qualified or not */
    public DeterministicValuesWorkload(String table) {
        this(table, WorkloadConnection.DEFAULT_SOCKET_TIMEOUT);
    }

    private DeterministicValuesWorkload(String table, Duration socketTimeout) {
        this.table = Objects.requireNonNull(table, "table");
        this.socketTimeout = Objects.requireNonNull(socketTimeout, "socketTimeout");
    }

    /** The longest a client waits for any answer (default 30 s) before it counts the statement as failed. */
    public DeterministicValuesWorkload withSocketTimeout(Duration newSocketTimeout) {
        return new DeterministicValuesWorkload(table, newSocketTimeout);
    }

    public String table() {
        return table;
    }

    /** The application_name of the clients' connections, to find them in pg_stat_activity. */
    public String applicationName() {
        return "exodus-values " + table;
    }

    /** Drops and creates the (empty) table, in one transaction. */
    public void create(ConnectionTarget target) throws SQLException {
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("DROP TABLE IF EXISTS " + table);
            statement.execute("CREATE TABLE " + table + " ("
                    + "id bigserial PRIMARY KEY, "
                    + "ident int GENERATED ALWAYS AS IDENTITY, "
                    + "created_at timestamptz DEFAULT now(), "
                    + "token uuid DEFAULT gen_random_uuid(), "
                    + "score double precision, "
                    + "note text)");
            connection.commit();
        }
    }

    public long count(ConnectionTarget target) throws SQLException {
        try (Connection connection = target.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** The rows a run of this size inserts when no statement fails. */
    public static long expectedRows(int clients, int insertsPerClient) {
        long rows = 0;
        for (int client = 0; client < clients; client++) {
            for (int i = 0; i < insertsPerClient; i++) {
                rows += InsertForm.of(client, i).rows;
            }
        }
        return rows;
    }

    /** Each client sends this many INSERT statements (not rows: some forms insert several). */
    public InsertRun run(ConnectionTarget through, int clients, int insertsPerClient) {
        AtomicInteger statements = new AtomicInteger();
        AtomicLong rows = new AtomicLong();
        Failures failures = new Failures();
        long started = System.nanoTime();
        ConcurrentClients.run("values", clients, client -> {
            Properties protocol = new Properties();
            if (client % 2 == 1) {
                protocol.setProperty("preferQueryMode", "simple");
            }
            try (WorkloadConnection connection = new WorkloadConnection(through, socketTimeout, applicationName(),
                    protocol)) {
                for (int i = 0; i < insertsPerClient && !Thread.currentThread().isInterrupted(); i++) {
                    try {
                        String note = "c" + client + "-s" + i;
                        rows.addAndGet(InsertForm.of(client, i).insert(connection.get(), table, note));
                        statements.incrementAndGet();
                    } catch (SQLException | RuntimeException e) {
                        connection.recover();
                        failures.add(e);
                    }
                }
            }
        });
        return new InsertRun(statements.get(), rows.get(), failures.count(), failures.first(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    private enum InsertForm {

        PREPARED(1) {
            @Override
            long insert(Connection connection, String table, String note) throws SQLException {
                try (PreparedStatement statement = connection.prepareStatement(
                        "INSERT INTO " + table + " (score, note) VALUES (random(), ?)")) {
                    statement.setString(1, note);
                    return statement.executeUpdate();
                }
            }
        },
        PLAIN_TEXT(1) {
            @Override
            long insert(Connection connection, String table, String note) throws SQLException {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("INSERT INTO " + table + " (score, note) VALUES (random(), '" + note + "')");
                    return statement.getUpdateCount();
                }
            }
        },
        MULTI_ROW_VALUES(3) {
            @Override
            long insert(Connection connection, String table, String note) throws SQLException {
                try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + table
                        + " (score, note) VALUES (random(), ?), (random(), ?), (random(), ?)")) {
                    for (int row = 1; row <= 3; row++) {
                        statement.setString(row, note + "-" + row);
                    }
                    return statement.executeUpdate();
                }
            }
        },
        INSERT_SELECT(5) {
            @Override
            long insert(Connection connection, String table, String note) throws SQLException {
                try (Statement statement = connection.createStatement()) {
                    return statement.executeUpdate("INSERT INTO " + table + " (score, note)"
                            + " SELECT random(), '" + note + "-' || g FROM generate_series(1, 5) g");
                }
            }
        },
        RETURNING(1) {
            @Override
            long insert(Connection connection, String table, String note) throws SQLException {
                try (PreparedStatement statement = connection.prepareStatement(
                        "INSERT INTO " + table + " (score, note) VALUES (random(), ?) RETURNING *")) {
                    statement.setString(1, note);
                    long returned = 0;
                    try (ResultSet result = statement.executeQuery()) {
                        while (result.next()) {
                            // Every generated value must have come back, not only the id.
                            for (String column : new String[] {"id", "ident", "created_at", "token", "score"}) {
                                if (result.getString(column) == null) {
                                    throw new IllegalStateException("INSERT ... RETURNING * into " + table
                                            + " returned no " + column);
                                }
                            }
                            returned++;
                        }
                    }
                    return returned;
                }
            }
        };

        final int rows;

        InsertForm(int rows) {
            this.rows = rows;
        }

        static InsertForm of(int client, int statement) {
            return values()[(client + statement) % values().length];
        }

        /** Inserts, returning the rows the server reports as inserted. */
        abstract long insert(Connection connection, String table, String note) throws SQLException;
    }
}
