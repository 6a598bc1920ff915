package io.exodus.analyzer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A source and a target for shadow replay, on the analyzer tests' servers, in a database of their own that differs
 * on purpose: the target's database sorts text by ICU's en-US where the source's sorts bytewise (C); the source has
 * an index the target lacks; and the source has the implicit integer-to-text cast PostgreSQL dropped in 8.3, so that
 * a statement resolves on the source and fails on the target as it does across versions. Data is the same.
 */
public class ShadowMigration implements QuarkusTestResourceLifecycleManager {
    public static final String DATABASE = "shadow";

    static final List<String> BOTH = List.of(
            "CREATE TABLE words (id integer PRIMARY KEY, word text NOT NULL)",
            "INSERT INTO words VALUES (1, 'apple'), (2, 'Banana'), (3, 'cherry'), (4, 'Date'), (5, 'elder')",
            "CREATE TABLE readings (id integer PRIMARY KEY, value double precision NOT NULL)",
            "INSERT INTO readings SELECT g, g * 0.1 FROM generate_series(1, 1000) g",
            "CREATE TABLE accounts (id integer PRIMARY KEY, owner integer NOT NULL, balance numeric NOT NULL)",
            "INSERT INTO accounts SELECT g, g % 1000, g * 1.5 FROM generate_series(1, 300000) g",
            "ANALYZE");
    static final List<String> SOURCE_ONLY = List.of(
            "CREATE INDEX accounts_owner ON accounts (owner)",
            "ANALYZE accounts",
            "CREATE CAST (integer AS text) WITH INOUT AS IMPLICIT");

    public static ConnectionTarget database(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(DATABASE);
    }

    @Override
    public Map<String, String> start() {
        LocalPostgres source = SeededMigration.source();
        LocalPostgres target = SeededMigration.target();
        create(source, "LOCALE 'C'");
        create(target, "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.utf8'");
        SeededMigration.execute(database(source), BOTH);
        SeededMigration.execute(database(source), SOURCE_ONLY);
        SeededMigration.execute(database(target), BOTH);
        return Map.of(
                "exodus.analyzer.source-url", database(source).url(),
                "exodus.analyzer.target-url", database(target).url(),
                "quarkus.http.test-port", "0");
    }

    @Override
    public void stop() {
        // the servers are shared by the whole JVM
    }

    private static void create(LocalPostgres server, String locale) {
        try (Connection connection = ConnectionTarget.superuser(server).openJdbc();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + DATABASE + " TEMPLATE template0 " + locale);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + DATABASE + " on " + server, e);
        }
    }
}
