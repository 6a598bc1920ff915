package io.exodus.analyzer.profile;

import io.exodus.analyzer.profile.DatabaseProfile.Activity;
import io.exodus.analyzer.profile.DatabaseProfile.Server;
import io.exodus.analyzer.profile.DatabaseProfile.Setting;
import io.exodus.capture.SqlNormalizer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one database's {@link DatabaseProfile} with the queries of {@link CatalogQueries}, all at once on a small
 * pool. A section the analyzer's role may not read (or that a flavour lacks) is left empty and named in
 * {@code unreadable}; only an unreachable server fails the whole profile.
 */
final class CatalogReader {
    /** The settings a migration decision or a recommendation looks at. */
    static final List<String> SETTINGS = List.of("wal_level", "max_prepared_transactions", "max_connections",
            "max_wal_senders", "max_replication_slots", "max_slot_wal_keep_size", "wal_keep_size",
            "max_worker_processes", "max_parallel_workers", "max_parallel_workers_per_gather",
            "max_parallel_maintenance_workers", "shared_buffers", "effective_cache_size", "work_mem",
            "maintenance_work_mem", "wal_buffers", "max_wal_size", "min_wal_size", "checkpoint_timeout",
            "checkpoint_completion_target", "random_page_cost", "effective_io_concurrency", "default_statistics_target",
            "huge_pages", "shared_preload_libraries", "track_commit_timestamp", "server_encoding", "TimeZone",
            "standard_conforming_strings", "default_transaction_isolation", "idle_in_transaction_session_timeout",
            "rds.logical_replication", "cloudsql.logical_decoding");
    private static final int QUERY_TEXT_LIMIT = 200;
    private static final Pattern MEM_TOTAL = Pattern.compile("MemTotal:\\s+(\\d+) kB");
    private static final Pattern PROCESSOR = Pattern.compile("(?m)^processor\\s*:");

    private final Pool pool;
    private final String role;
    private final Duration longTransaction;
    private final List<String> unreadable = Collections.synchronizedList(new ArrayList<>());

    private CatalogReader(Pool pool, String role, Duration longTransaction) {
        this.pool = pool;
        this.role = role;
        this.longTransaction = longTransaction;
    }

    static Future<DatabaseProfile> read(Pool pool, String role, Duration longTransaction) {
        return new CatalogReader(pool, role, longTransaction).read();
    }

    private Future<DatabaseProfile> read() {
        return pool.query(CatalogQueries.SERVER).execute().map(rows -> rows.iterator().next())
                .compose(this::readSections);
    }

    private Future<DatabaseProfile> readSections(Row serverRow) {
        int versionNumber = serverRow.getInteger("number");
        var databaseCollation = versionNumber >= 150000
                ? section("database collation", query(CatalogQueries.DATABASE_COLLATION_15, Tuple.tuple(), r -> r),
                        List.of())
                : Future.succeededFuture(List.<Row>of());
        var libc = section("C library version", query(CatalogQueries.LIBC_VERSION, Tuple.tuple(),
                r -> r.getString("version")), List.of());
        var marks = section("flavour marks", query(CatalogQueries.MARKS, Tuple.tuple(List.of(
                Flavour.MARK_ROLES.toArray(String[]::new), Flavour.MARK_FUNCTIONS.toArray(String[]::new))), r -> r), List.of());
        var settings = section("settings", query(CatalogQueries.SETTINGS,
                Tuple.tuple(List.of((Object) SETTINGS.toArray(String[]::new))), r -> r), List.of());
        var databases = section("databases", query(CatalogQueries.DATABASES, Tuple.tuple(), CatalogRows::databaseSize),
                List.of());
        var tables = section("tables", query(CatalogQueries.TABLES, Tuple.tuple(), CatalogRows::table), List.of());
        var triggers = section("triggers", query(CatalogQueries.TRIGGERS, Tuple.tuple(), CatalogRows::trigger),
                List.of());
        var eventTriggers = section("event triggers", query(CatalogQueries.EVENT_TRIGGERS, Tuple.tuple(),
                r -> r.getString("name")), List.of());
        var sequences = section("sequences", query(CatalogQueries.SEQUENCES, Tuple.tuple(), CatalogRows::sequence),
                List.of());
        var generated = section("generated columns", query(CatalogQueries.GENERATED_COLUMNS, Tuple.tuple(),
                CatalogRows::generatedColumn), List.of());
        var extensions = section("extensions", query(CatalogQueries.EXTENSIONS, Tuple.tuple(), CatalogRows::extension),
                List.of());
        var available = section("available extensions", query(CatalogQueries.AVAILABLE_EXTENSIONS, Tuple.tuple(),
                CatalogRows::extension), List.of());
        var collations = section("collations", query(CatalogQueries.COLLATIONS, Tuple.tuple(), CatalogRows::collation),
                List.of());
        var indexColumns = section("collated index columns", query(CatalogQueries.COLLATED_INDEX_COLUMNS,
                Tuple.tuple(), r -> r), List.of());
        var partitioned = section("partitioned tables", query(CatalogQueries.PARTITIONED_TABLES, Tuple.tuple(),
                CatalogRows::partitionedTable), List.of());
        var largeObjects = section("large objects", query(CatalogQueries.LARGE_OBJECTS, Tuple.tuple(),
                r -> r.getLong("count")), List.of());
        var deferrable = section("deferrable constraints", query(CatalogQueries.DEFERRABLE_CONSTRAINTS, Tuple.tuple(),
                CatalogRows::deferrableConstraint), List.of());
        var volatileDefaults = section("volatile defaults", query(CatalogQueries.VOLATILE_DEFAULTS, Tuple.tuple(),
                CatalogRows::volatileDefault), List.of());
        var slots = section("replication slots", query(CatalogQueries.REPLICATION_SLOTS, Tuple.tuple(),
                CatalogRows::replicationSlot), List.of());
        var prepared = section("prepared transactions", query(CatalogQueries.PREPARED_TRANSACTIONS, Tuple.tuple(),
                CatalogRows::preparedTransaction), List.of());
        var longTransactions = section("long transactions", query(CatalogQueries.LONG_TRANSACTIONS,
                Tuple.of((double) longTransaction.toSeconds()), this::openTransaction), List.of());
        var activity = section("activity", query(CatalogQueries.ACTIVITY, Tuple.tuple(), CatalogRows::activity),
                List.of());
        var wal = versionNumber >= 140000
                ? section("wal", query(CatalogQueries.WAL_14, Tuple.tuple(), r -> r.getLong("wal_bytes")), List.of())
                : Future.succeededFuture(List.<Long>of());
        // The host's size is a bonus: failing to read it is normal for anyone but a superuser, so it is not reported.
        Future<List<String>> memory = query(CatalogQueries.HOST_MEMORY, Tuple.tuple(), r -> r.getString("text"))
                .otherwise(List.of());
        Future<List<String>> cpus = query(CatalogQueries.HOST_CPUS, Tuple.tuple(), r -> r.getString("text"))
                .otherwise(List.of());

        List<Future<?>> all = List.of(databaseCollation, libc, marks, settings, databases, tables, triggers,
                eventTriggers, sequences, generated, extensions, available, collations, indexColumns, partitioned, largeObjects,
                deferrable, volatileDefaults, slots, prepared, longTransactions, activity, wal, memory, cpus);
        return Future.join(new ArrayList<>(all)).map(done -> {
            List<Row> collationRows = databaseCollation.result();
            Row dbCollation = collationRows.isEmpty() ? null : collationRows.get(0);
            String provider = dbCollation == null ? "libc" : CatalogRows.provider(dbCollation.getString("provider"));
            Flavour.Recognised flavour = Flavour.recognise(marks(serverRow, marks.result()));
            Server server = new Server(serverRow.getString("version"), versionNumber,
                    serverRow.getString("version_text"), flavour.flavour(), flavour.evidence(),
                    serverRow.getString("database"), serverRow.getString("encoding"), serverRow.getString("collate"),
                    serverRow.getString("ctype"), provider,
                    dbCollation == null ? null : dbCollation.getString("version"),
                    dbCollation == null ? null : dbCollation.getString("actual_version"),
                    libc.result().isEmpty() ? null : libc.result().get(0), serverRow.getBoolean("in_recovery"),
                    memoryBytes(memory.result()), cpuCount(cpus.result()));
            Activity counters = activity.result().isEmpty() ? Activity.NONE : activity.result().get(0);
            Long walBytes = wal.result().isEmpty() ? null : wal.result().get(0);
            return new DatabaseProfile(role, server, settings(settings.result()), databases.result(), tables.result(),
                    triggers.result(), eventTriggers.result(), sequences.result(), generated.result(),
                    extensions.result(), availableExtensions(available.result()), collations.result(),
                    indexColumns.result().stream().map(row -> CatalogRows.collatedIndexColumn(row, server)).toList(),
                    partitioned.result(), largeObjects.result().isEmpty() ? 0 : largeObjects.result().get(0),
                    deferrable.result(), volatileDefaults.result(), slots.result(), prepared.result(),
                    longTransactions.result(), new Activity(counters.since(), counters.commits(),
                            counters.rollbacks(), counters.tempFiles(), counters.tempBytes(), walBytes),
                    List.copyOf(unreadable));
        });
    }

    private <T> Future<List<T>> query(String sql, Tuple parameters, Function<Row, T> mapping) {
        Future<RowSet<Row>> rows = parameters.size() == 0 ? pool.query(sql).execute()
                : pool.preparedQuery(sql).execute(parameters);
        return rows.map(set -> {
            List<T> mapped = new ArrayList<>(set.size());
            set.forEach(row -> mapped.add(mapping.apply(row)));
            return mapped;
        });
    }

    private <T> Future<T> section(String name, Future<T> future, T whenUnreadable) {
        return future.recover(failure -> {
            unreadable.add(name + ": " + failure.getMessage());
            return Future.succeededFuture(whenUnreadable);
        });
    }

    private DatabaseProfile.OpenTransaction openTransaction(Row row) {
        String query = row.getString("query");
        String normalized = query == null ? "" : SqlNormalizer.normalize(query).text();
        return new DatabaseProfile.OpenTransaction(row.getInteger("pid"), row.getString("usename"),
                row.getString("datname"), row.getString("state"), row.getString("application_name"),
                row.getLong("age_seconds"), normalized.length() > QUERY_TEXT_LIMIT
                        ? normalized.substring(0, QUERY_TEXT_LIMIT) + "…" : normalized);
    }

    private static Flavour.Marks marks(Row server, List<Row> rows) {
        if (rows.isEmpty()) {
            return new Flavour.Marks(server.getString("version_text"), List.of(), List.of(), List.of());
        }
        Row row = rows.get(0);
        return new Flavour.Marks(server.getString("version_text"), Arrays.asList(row.getArrayOfStrings("roles")),
                Arrays.asList(row.getArrayOfStrings("prefixes")), Arrays.asList(row.getArrayOfStrings("functions")));
    }

    private static Map<String, Setting> settings(List<Row> rows) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (String name : SETTINGS) {
            rows.stream().filter(row -> row.getString("name").equals(name)).findFirst().ifPresent(row -> settings
                    .put(name, new Setting(row.getString("value"), row.getString("setting"), row.getString("unit"))));
        }
        return settings;
    }

    private static Map<String, String> availableExtensions(List<DatabaseProfile.Extension> available) {
        Map<String, String> byName = new LinkedHashMap<>();
        available.forEach(extension -> byName.put(extension.name(), extension.version()));
        return byName;
    }

    private static Long memoryBytes(List<String> meminfo) {
        if (meminfo.isEmpty() || meminfo.get(0) == null) {
            return null;
        }
        Matcher total = MEM_TOTAL.matcher(meminfo.get(0));
        return total.find() ? Long.parseLong(total.group(1)) * 1024 : null;
    }

    private static Integer cpuCount(List<String> cpuinfo) {
        if (cpuinfo.isEmpty() || cpuinfo.get(0) == null) {
            return null;
        }
        long processors = PROCESSOR.matcher(cpuinfo.get(0)).results().count();
        return processors == 0 ? null : (int) processors;
    }
}
