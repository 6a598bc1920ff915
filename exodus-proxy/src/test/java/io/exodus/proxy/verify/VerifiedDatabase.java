package io.exodus.proxy.verify;

import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.TestDatabases;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** A database of one name on the shared source and target servers, as the verification tests set it up and change it. */
record VerifiedDatabase(String name) {

    /** The database dropped (with its sessions) and created empty on both servers. */
    static VerifiedDatabase createdAfresh(String name) throws SQLException {
        for (var server : List.of(TestDatabases.source(), TestDatabases.target())) {
            try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                    Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + name + " with (force)");
                statement.execute("create database " + name);
            }
        }
        return new VerifiedDatabase(name);
    }

    ConnectionTarget source() {
        return ConnectionTarget.superuser(TestDatabases.source()).withDatabase(name);
    }

    ConnectionTarget target() {
        return ConnectionTarget.superuser(TestDatabases.target()).withDatabase(name);
    }

    /** Runs each statement on both servers: the same tables and rows on each. */
    void onBoth(String... statements) throws SQLException {
        for (String sql : statements) {
            run(source(), sql);
            run(target(), sql);
        }
    }

    static void run(ConnectionTarget on, String sql) throws SQLException {
        try (Connection connection = on.openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The first column of the first row, or null without a row. */
    static String value(ConnectionTarget on, String query) throws SQLException {
        try (Connection connection = on.openJdbc(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }
}
