package io.exodus.proxy.sync;

import io.exodus.localpg.LocalPostgres;
import io.exodus.proxy.backend.BackendEndpoint;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.testsupport.ConnectionTarget;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A database of its own for one test, on a source and a target server, dropped and made anew each time. */
record SyncedDatabases(ConnectionTarget source, ConnectionTarget target) {

    static SyncedDatabases fresh(LocalPostgres sourceServer, LocalPostgres targetServer, String name)
            throws SQLException {
        return new SyncedDatabases(fresh(sourceServer, name), fresh(targetServer, name));
    }

    private static ConnectionTarget fresh(LocalPostgres server, String name) throws SQLException {
        ConnectionTarget admin = ConnectionTarget.superuser(server);
        try (Connection connection = admin.openJdbc(); Statement statement = connection.createStatement()) {
            // A slot left by an earlier run of the test holds the database: it goes first.
            statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE database = '" + name + "'");
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + name);
        }
        return admin.withDatabase(name);
    }

    BackendEndpoint sourceEndpoint() {
        return new BackendEndpoint("source", PostgresUrl.parse(source.url()));
    }

    BackendEndpoint targetEndpoint() {
        return new BackendEndpoint("target", PostgresUrl.parse(target.url()));
    }

    static void execute(ConnectionTarget database, String sql) throws SQLException {
        try (Connection connection = database.openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    static long number(ConnectionTarget database, String sql) throws SQLException {
        try (Connection connection = database.openJdbc(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
