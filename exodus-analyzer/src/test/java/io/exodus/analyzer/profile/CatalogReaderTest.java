package io.exodus.analyzer.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.exodus.analyzer.SeededMigration;
import io.exodus.analyzer.config.DatabaseUrl;
import io.exodus.testsupport.ConnectionTarget;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * The catalog sections the seeded migration leaves empty, read from a real server while they hold something: a long
 * transaction, a prepared transaction, an inactive logical slot, a large object, an unlogged and a partitioned table,
 * a generated column, a trigger. In a database of its own on the analyzer's source server, dropped afterwards, so
 * that the seeded checks see none of it.
 */
class CatalogReaderTest {
    private static final String DATABASE = "catalog_probe";
    private static final String SLOT = "catalog_probe_slot";
    private static final String GID = "catalog-probe-gid";

    private static Vertx vertx;
    private static Pool pool;
    private static ConnectionTarget probe;

    @BeforeAll
    static void createThings() throws Exception {
        ConnectionTarget postgres = ConnectionTarget.superuser(SeededMigration.source());
        try (Connection connection = postgres.openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        probe = postgres.withDatabase(DATABASE);
        try (Connection connection = probe.openJdbc(); Statement statement = connection.createStatement()) {
            for (String sql : List.of(
                    "CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text)",
                    "CREATE TABLE measurements (at date NOT NULL, v int, doubled int GENERATED ALWAYS AS (v * 2) "
                            + "STORED) PARTITION BY RANGE (at)",
                    "CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') "
                            + "TO ('2026-01-01')",
                    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
                    "CREATE TRIGGER cache_touch BEFORE UPDATE ON cache FOR EACH ROW EXECUTE FUNCTION touch()",
                    "SELECT lo_create(0)",
                    "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')",
                    "BEGIN",
                    "INSERT INTO cache VALUES ('k', 'v')",
                    "PREPARE TRANSACTION '" + GID + "'")) {
                statement.execute(sql);
            }
        }
        vertx = Vertx.vertx();
        pool = DatabaseUrl.parse("source", probe.url(), Duration.ofSeconds(10)).pool(vertx, 4);
    }

    @AfterAll
    static void dropThings() throws Exception {
        if (pool != null) {
            pool.close();
        }
        if (vertx != null) {
            vertx.close();
        }
        try (Connection connection = probe.openJdbc(); Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK PREPARED '" + GID + "'");
            statement.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
        }
        try (Connection connection = ConnectionTarget.superuser(SeededMigration.source()).openJdbc();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE " + DATABASE + " WITH (FORCE)");
        }
    }

    @Test
    void readsWhatTheSeededMigrationLeavesEmpty() throws Exception {
        try (Connection open = probe.openJdbc(); Statement statement = open.createStatement()) {
            open.setAutoCommit(false);
            statement.execute("SELECT count(*) FROM cache WHERE k = 'long transaction ' || 42");
            Thread.sleep(1500);
            DatabaseProfile profile = CatalogReader.read(pool, "source", Duration.ofSeconds(1)).toCompletionStage()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            open.rollback();

            assertEquals(List.of(), profile.unreadable());
            assertTrue(profile.tables().stream().anyMatch(table -> table.name().equals("cache") && table.unlogged()
                    && table.triggers() == 1));
            assertTrue(profile.tables().stream().anyMatch(table -> table.name().equals("measurements_2025")
                    && "measurements".equals(table.partitionOf())), profile.tables()::toString);
            assertEquals(List.of(new DatabaseProfile.PartitionedTable("public", "measurements", "range", 1)),
                    profile.partitionedTables());
            assertEquals(List.of(new DatabaseProfile.GeneratedColumn("public", "measurements", "doubled", "(v * 2)")),
                    profile.generatedColumns().stream().filter(column -> column.table().equals("measurements"))
                            .toList());
            assertEquals(List.of(new DatabaseProfile.Trigger("public", "cache", "cache_touch", "O", "touch")),
                    profile.triggers());
            assertEquals(1, profile.largeObjects());
            DatabaseProfile.ReplicationSlot slot = profile.replicationSlots().stream()
                    .filter(candidate -> candidate.name().equals(SLOT)).findFirst().orElseThrow();
            assertEquals("logical", slot.type());
            assertTrue(!slot.active() && slot.retainedBytes() != null && slot.retainedBytes() >= 0, slot::toString);
            assertTrue(profile.preparedTransactions().stream().anyMatch(prepared -> prepared.gid().equals(GID)));
            DatabaseProfile.OpenTransaction longOne = profile.longTransactions().stream()
                    .filter(transaction -> transaction.database().equals(DATABASE)).findFirst().orElseThrow();
            assertEquals("SELECT count(*) FROM cache WHERE k = $1 || $2", longOne.query(),
                    "the statement is shown normalised, without its literals");
            assertEquals(DATABASE, profile.server().database());
        }
    }
}
