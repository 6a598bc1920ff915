package io.exodus.proxy.session;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TestDatabases;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database of its own on the shared source and target servers, so that dual-write tests neither see nor disturb
 * the tables of the other tests. Exodus does not create the schema on the target: tests create it on both sides.
 */
final class DualWriteDatabases {
    private DualWriteDatabases() {
    }

    static ConnectionTarget source(String database) {
        return ConnectionTarget.superuser(TestDatabases.source()).withDatabase(database);
    }

    static ConnectionTarget target(String database) {
        return ConnectionTarget.superuser(TestDatabases.target()).withDatabase(database);
    }

    /** Drops and creates the database on both servers. */
    static void recreate(String database) throws SQLException {
        for (ConnectionTarget server : new ConnectionTarget[] { ConnectionTarget.superuser(TestDatabases.source()),
                ConnectionTarget.superuser(TestDatabases.target()) }) {
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + database + " with (force)");
                statement.execute("create database " + database);
            }
        }
    }

    /** Runs the same SQL directly on both servers (schema set-up). */
    static void onBoth(String database, String sql) throws SQLException {
        for (ConnectionTarget server : new ConnectionTarget[] { source(database), target(database) }) {
            try (Connection connection = server.openJdbc(); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }
    }
}
