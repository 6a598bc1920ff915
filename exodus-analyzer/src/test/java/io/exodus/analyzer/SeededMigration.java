package io.exodus.analyzer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.exodus.localpg.LocalPostgres;
import io.exodus.testsupport.ConnectionTarget;
import io.exodus.testsupport.OtherSettingsServer;
import io.exodus.testsupport.Pgbench;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The migration every analyzer test looks at: a source seeded with pgbench's tables plus one of each thing the checks
 * must flag, and a target without one of the source's extensions and with {@code max_prepared_transactions = 0}. The
 * store is the analyzer's embedded default. The servers are shared by the JVM; seeding is repeatable.
 */
public class SeededMigration implements QuarkusTestResourceLifecycleManager {
    public static final String DATABASE = "shop";
    /** 90 % of int4's 2147483647. */
    public static final long SEQUENCE_AT_90_PERCENT = 1_932_735_283L;

    /** Exactly what the seed adds beyond pgbench, each for one check. */
    static final List<String> SEED = List.of(
            "CREATE EXTENSION IF NOT EXISTS hstore",
            "DROP TABLE IF EXISTS audit_log, coupons, ledger, customers, tickets CASCADE",
            // no-primary-key (pgbench_history has none either)
            "CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), note text)",
            // nondeterministic-default
            "CREATE TABLE coupons (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text NOT NULL, "
                    + "discount double precision NOT NULL DEFAULT random())",
            // collation-library: an index on a text column under a libc collation
            "DROP COLLATION IF EXISTS seeded_libc",
            "CREATE COLLATION seeded_libc (provider = libc, locale = 'C.utf8')",
            "CREATE TABLE customers (id integer PRIMARY KEY, name text COLLATE seeded_libc NOT NULL)",
            "CREATE INDEX customers_name ON customers (name)",
            // deferrable-constraint
            "CREATE TABLE ledger (id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers "
                    + "DEFERRABLE INITIALLY DEFERRED)",
            // sequence-overflow: an int4 sequence at 90 %
            "CREATE TABLE tickets (id serial PRIMARY KEY, title text)",
            "SELECT setval('tickets_id_seq', " + SEQUENCE_AT_90_PERCENT + ")");

    public static LocalPostgres source() {
        return OtherSettingsServer.of("analyzer-source", Map.of());
    }

    public static LocalPostgres target() {
        return OtherSettingsServer.of("analyzer-target-without-2pc", Map.of("max_prepared_transactions", "0"));
    }

    public static ConnectionTarget shop(LocalPostgres server) {
        return ConnectionTarget.superuser(server).withDatabase(DATABASE);
    }

    @Override
    public Map<String, String> start() {
        CompletableFuture<LocalPostgres> source = CompletableFuture.supplyAsync(SeededMigration::source);
        CompletableFuture<LocalPostgres> target = CompletableFuture.supplyAsync(SeededMigration::target);
        LocalPostgres sourceServer = source.join();
        LocalPostgres targetServer = target.join();
        createShop(sourceServer);
        createShop(targetServer);
        Pgbench.against(shop(sourceServer)).initialize(1).requireSuccess();
        execute(shop(sourceServer), SEED);
        return Map.of(
                "exodus.analyzer.source-url", shop(sourceServer).url(),
                "exodus.analyzer.target-url", shop(targetServer).url(),
                "quarkus.http.test-port", "0");
    }

    @Override
    public void stop() {
        // the servers are shared by the whole JVM
    }

    private static void createShop(LocalPostgres server) {
        ConnectionTarget postgres = ConnectionTarget.superuser(server);
        try (Connection connection = postgres.openJdbc(); Statement statement = connection.createStatement()) {
            if (!statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'").next()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + DATABASE + " on " + server, e);
        }
    }

    static void execute(ConnectionTarget database, List<String> statements) {
        try (Connection connection = database.openJdbc(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not seed " + database + ": " + e.getMessage(), e);
        }
    }
}
