package io.exodus.analyzer.profile;

import io.exodus.analyzer.profile.DatabaseProfile.Activity;
import io.exodus.analyzer.profile.DatabaseProfile.CollatedIndexColumn;
import io.exodus.analyzer.profile.DatabaseProfile.Collation;
import io.exodus.analyzer.profile.DatabaseProfile.DatabaseSize;
import io.exodus.analyzer.profile.DatabaseProfile.DeferrableConstraint;
import io.exodus.analyzer.profile.DatabaseProfile.Extension;
import io.exodus.analyzer.profile.DatabaseProfile.GeneratedColumn;
import io.exodus.analyzer.profile.DatabaseProfile.PartitionedTable;
import io.exodus.analyzer.profile.DatabaseProfile.PreparedTransaction;
import io.exodus.analyzer.profile.DatabaseProfile.ReplicationSlot;
import io.exodus.analyzer.profile.DatabaseProfile.Sequence;
import io.exodus.analyzer.profile.DatabaseProfile.Server;
import io.exodus.analyzer.profile.DatabaseProfile.Table;
import io.exodus.analyzer.profile.DatabaseProfile.Trigger;
import io.exodus.analyzer.profile.DatabaseProfile.VolatileDefault;
import io.vertx.sqlclient.Row;

import java.util.Arrays;
import java.util.List;

/** One row of a {@link CatalogQueries} query as a profile record; catalog codes spelled out as words. */
final class CatalogRows {
    private CatalogRows() {
    }

    static DatabaseSize databaseSize(Row row) {
        return new DatabaseSize(row.getString("name"), row.getLong("bytes"));
    }

    static Table table(Row row) {
        return new Table(row.getString("schema"), row.getString("name"),
                "p".equals(row.getString("kind")) ? "partitioned" : "table", row.getBoolean("unlogged"),
                replicaIdentity(row.getString("replica_identity")), row.getString("replica_identity_index"),
                Arrays.asList(row.getArrayOfStrings("primary_key")), row.getString("partition_of"),
                row.getLong("estimated_rows"), row.getLong("bytes"), row.getInteger("triggers"));
    }

    static Trigger trigger(Row row) {
        return new Trigger(row.getString("schema"), row.getString("table_name"), row.getString("name"),
                row.getString("enabled"), row.getString("function"));
    }

    static Sequence sequence(Row row) {
        return new Sequence(row.getString("schema"), row.getString("name"), row.getString("data_type"),
                row.getLong("last_value"), row.getLong("min_value"), row.getLong("max_value"),
                row.getLong("increment_by"), row.getString("table_name"), row.getString("column_name"),
                row.getString("column_type"), row.getString("identity"));
    }

    static GeneratedColumn generatedColumn(Row row) {
        return new GeneratedColumn(row.getString("schema"), row.getString("table_name"), row.getString("column_name"),
                row.getString("expression"));
    }

    static Extension extension(Row row) {
        return new Extension(row.getString("name"), row.getString("version"));
    }

    static Collation collation(Row row) {
        return new Collation(row.getString("name"), provider(row.getString("provider")), row.getString("locale"),
                row.getString("version"), row.getString("actual_version"), row.getLong("columns"));
    }

    /** The database's default collation ("default", provider d) is resolved to the database's own provider and locale. */
    static CollatedIndexColumn collatedIndexColumn(Row row, Server server) {
        boolean databaseDefault = "d".equals(row.getString("provider"));
        return new CollatedIndexColumn(row.getString("schema"), row.getString("table_name"),
                row.getString("index_name"), row.getString("column_name"), row.getString("collation"),
                databaseDefault ? server.localeProvider() : provider(row.getString("provider")),
                databaseDefault ? server.collate() : row.getString("locale"));
    }

    static PartitionedTable partitionedTable(Row row) {
        String strategy = switch (row.getString("strategy")) {
            case "r" -> "range";
            case "l" -> "list";
            case "h" -> "hash";
            default -> row.getString("strategy");
        };
        return new PartitionedTable(row.getString("schema"), row.getString("name"), strategy,
                row.getLong("partitions"));
    }

    static DeferrableConstraint deferrableConstraint(Row row) {
        String type = switch (row.getString("type")) {
            case "p" -> "primary-key";
            case "u" -> "unique";
            case "f" -> "foreign-key";
            case "x" -> "exclusion";
            default -> row.getString("type");
        };
        return new DeferrableConstraint(row.getString("schema"), row.getString("table_name"), row.getString("name"),
                type, row.getBoolean("initially_deferred"));
    }

    static VolatileDefault volatileDefault(Row row) {
        return new VolatileDefault(row.getString("schema"), row.getString("table_name"), row.getString("column_name"),
                row.getString("expression"), List.of(row.getArrayOfStrings("functions")));
    }

    static ReplicationSlot replicationSlot(Row row) {
        return new ReplicationSlot(row.getString("name"), row.getString("type"), row.getString("plugin"),
                row.getString("database"), row.getBoolean("active"), row.getLong("retained_bytes"),
                row.getString("wal_status"));
    }

    static PreparedTransaction preparedTransaction(Row row) {
        return new PreparedTransaction(row.getString("gid"), row.getOffsetDateTime("prepared"), row.getString("owner"),
                row.getString("database"), row.getLong("age_seconds"));
    }

    static Activity activity(Row row) {
        return new Activity(row.getOffsetDateTime("since"), orZero(row.getLong("commits")),
                orZero(row.getLong("rollbacks")), orZero(row.getLong("temp_files")), orZero(row.getLong("temp_bytes")),
                null);
    }

    /** pg_collation.collprovider and pg_database.datlocprovider as words. */
    static String provider(String code) {
        return switch (code == null ? "" : code) {
            case "c" -> "libc";
            case "i" -> "icu";
            case "b" -> "builtin";
            case "d" -> "default";
            default -> code;
        };
    }

    private static String replicaIdentity(String code) {
        return switch (code) {
            case "d" -> "default";
            case "n" -> "nothing";
            case "f" -> "full";
            case "i" -> "index";
            default -> code;
        };
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
