package io.exodus.proxy.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.exodus.localpg.LocalPostgres;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TestDatabases;
import io.vertx.core.Future;

/**
 * The shared test servers as the two sides of a two-phase commit, and the JDBC steps that leave prepared transactions
 * behind as a crashed proxy would. Each test class works in its own database, so that its decision table and its
 * prepared transactions do not meet those of other tests.
 */
final class TwoPhaseServers {

    private TwoPhaseServers() {
    }

    static LocalPostgres primary() {
        return TestDatabases.source();
    }

    static LocalPostgres secondary() {
        return TestDatabases.target();
    }

    static BackendEndpoint endpoint(String role, LocalPostgres server, String database) {
        return endpoint(role, ConnectionTarget.superuser(server).withDatabase(database));
    }

    static BackendEndpoint endpoint(String role, ConnectionTarget target) {
        return new BackendEndpoint(role, PostgresUrl.parse(target.url()));
    }

    static Connection open(LocalPostgres server, String database) throws SQLException {
        return ConnectionTarget.superuser(server).withDatabase(database).openJdbc();
    }

    static void createDatabaseOnBoth(String database) throws SQLException {
        for (LocalPostgres server : List.of(primary(), secondary())) {
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                statement.execute("CREATE DATABASE " + database);
            }
        }
    }

    /** Rolls back what a test left prepared in the database (even when it failed), then drops it. */
    static void dropDatabaseOnBoth(String database) throws SQLException {
        for (LocalPostgres server : List.of(primary(), secondary())) {
            rollBackEverythingPrepared(server, database);
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    static void rollBackEverythingPrepared(String database) throws SQLException {
        rollBackEverythingPrepared(primary(), database);
        rollBackEverythingPrepared(secondary(), database);
    }

    private static void rollBackEverythingPrepared(LocalPostgres server, String database) throws SQLException {
        try (Connection connection = open(server, database); Statement statement = connection.createStatement()) {
            for (String gid : preparedIn(connection, database)) {
                statement.execute("ROLLBACK PREPARED '" + gid + "'");
            }
        }
    }

    /** Runs the statements in one transaction and leaves it prepared under the gid, as step 2 of the protocol does. */
    static void prepare(LocalPostgres server, String database, String gid, String... statements) throws SQLException {
        prepare(ConnectionTarget.superuser(server).withDatabase(database), gid, statements);
    }

    static void prepare(ConnectionTarget as, String gid, String... statements) throws SQLException {
        try (Connection connection = as.openJdbc()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements) {
                    statement.execute(sql);
                }
                statement.execute("PREPARE TRANSACTION '" + gid + "'");
            }
        }
    }

    static void execute(LocalPostgres server, String database, String... statements) throws SQLException {
        try (Connection connection = open(server, database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The gids prepared in the database on the server. */
    static Set<String> prepared(LocalPostgres server, String database) throws SQLException {
        try (Connection connection = open(server, database)) {
            return preparedIn(connection, database);
        }
    }

    private static Set<String> preparedIn(Connection connection, String database) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT gid FROM pg_catalog.pg_prepared_xacts WHERE database = ?")) {
            query.setString(1, database);
            return strings(query.executeQuery());
        }
    }

    static Set<String> strings(LocalPostgres server, String database, String sql) throws SQLException {
        try (Connection connection = open(server, database); Statement statement = connection.createStatement()) {
            return strings(statement.executeQuery(sql));
        }
    }

    private static Set<String> strings(ResultSet result) throws SQLException {
        Set<String> values = new TreeSet<>();
        try (result) {
            while (result.next()) {
                values.add(result.getString(1));
            }
        }
        return values;
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** The failure of a future that must fail. */
    static Throwable failureOf(Future<?> future) throws InterruptedException {
        try {
            future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Still running after 60 s", e);
        }
        throw new AssertionError("Succeeded, but a failure was expected");
    }
}
