package io.exodus.proxy.dualwrite;

import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.migration.Side;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TableComparison;
import io.exodus.testsupport.TestDatabases;
import io.exodus.testsupport.TestUsers;

import io.quarkus.arc.Arc;

import org.junit.jupiter.api.TestInfo;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A database of its own on the shared source and target servers, so that dual-write tests neither see nor disturb
 * the tables of the other tests. Exodus does not create the schema on the target: tests create it on both sides.
 */
public final class DualWriteDatabases {
    /** Longer than any lock wait of these tests, short enough that a proxy that stopped answering fails the test. */
    public static final int SOCKET_TIMEOUT_SECONDS = 20;

    private DualWriteDatabases() {
    }

    public static ConnectionTarget source(String database) {
        return ConnectionTarget.superuser(TestDatabases.source()).withDatabase(database);
    }

    public static ConnectionTarget target(String database) {
        return ConnectionTarget.superuser(TestDatabases.target()).withDatabase(database);
    }

    /**
     * The database whose answers reach the client in the running proxy's phase: the source before the cutover, the
     * target after it. Tests written this way run in both directions ({@link TargetPrimaryProfile}).
     */
    public static ConnectionTarget primary(String database) {
        return primarySide() == Side.SOURCE ? source(database) : target(database);
    }

    /** The database that receives the primary's writes in the running proxy's phase. */
    public static ConnectionTarget secondary(String database) {
        return primarySide() == Side.SOURCE ? target(database) : source(database);
    }

    /** The side whose answers reach the client in the running proxy's phase. */
    public static Side primarySide() {
        return Arc.container().instance(MigrationState.class).get().phase().primary();
    }

    /**
     * Stops the running proxy's secondary server as a crash would and leaves it stopped: the target before the
     * cutover, the source after it. The caller starts it again ({@link #startSecondary()}) in a finally block or an
     * {@code @AfterEach}: every test class shares it.
     */
    public static void stopSecondaryImmediately() {
        if (primarySide() == Side.SOURCE) {
            TestDatabases.stopTargetImmediately();
        } else {
            TestDatabases.stopSourceImmediately();
        }
    }

    /** Starts both servers if stopped: the secondary after {@link #stopSecondaryImmediately()}. */
    public static void startSecondary() {
        TestDatabases.startTarget();
        TestDatabases.startSource();
    }

    /** The proxy listening on {@code port}, as the superuser, on the database of the test. */
    public static ConnectionTarget proxy(int port, String database) {
        return ConnectionTarget.local(port, TestUsers.SUPERUSER, TestUsers.SUPERUSER_PASSWORD, database);
    }

    /** A JDBC connection with bounded waits ({@value #SOCKET_TIMEOUT_SECONDS} s) and further pgJDBC properties. */
    public static Connection open(ConnectionTarget target, String... propertyPairs) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        properties.setProperty("loginTimeout", "10");
        for (int i = 0; i + 1 < propertyPairs.length; i += 2) {
            properties.setProperty(propertyPairs[i], propertyPairs[i + 1]);
        }
        return target.openJdbc(properties);
    }

    /** Drops and creates the database on both servers. */
    public static void recreate(String database) throws SQLException {
        for (ConnectionTarget server : new ConnectionTarget[] { ConnectionTarget.superuser(TestDatabases.source()),
                ConnectionTarget.superuser(TestDatabases.target()) }) {
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + database + " with (force)");
                statement.execute("create database " + database);
            }
        }
    }

    /**
     * Drops and creates the database on both servers, with durable commits: the shared servers run synchronous_commit
     * off, and a test that stops the target immediately would lose the last commits it acknowledged.
     */
    public static void recreateWithDurableCommits(String database) throws SQLException {
        recreate(database);
        for (ConnectionTarget server : new ConnectionTarget[] { ConnectionTarget.superuser(TestDatabases.source()),
                ConnectionTarget.superuser(TestDatabases.target()) }) {
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute("alter database " + database + " set synchronous_commit = on");
            }
        }
    }

    /**
     * Makes an empty {@code orders (id int primary key, note text)} table on both servers whose name is the test's own:
     * one per test method and parameter, so that what one test left on either side cannot confuse the next.
     */
    public static String ordersTableOf(TestInfo test, String database) throws SQLException {
        String invocation = test.getTestMethod().orElseThrow().getName() + " " + test.getDisplayName();
        String table = "orders_" + Integer.toUnsignedString(invocation.hashCode(), 36);
        onBoth(database, "drop table if exists " + table);
        onBoth(database, "create table " + table + " (id int primary key, note text)");
        return table;
    }

    /** The one number {@code sql} answers on {@code database}, such as a {@code count(*)}. */
    public static long count(ConnectionTarget database, String sql) throws SQLException {
        try (Connection connection = database.openJdbc(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** Runs the same SQL directly on both servers (schema set-up). */
    public static void onBoth(String database, String sql) throws SQLException {
        for (ConnectionTarget server : new ConnectionTarget[] { source(database), target(database) }) {
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }
    }

    /** Source and target hold the same rows in these tables, value by value. */
    public static void assertIdentical(String database, String... tables) throws SQLException {
        TableComparison.assertIdentical(source(database), target(database), tables);
    }
}
