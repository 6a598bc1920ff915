package io.exodus.analyzer.profile;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the catalogs of one database (the source or the target) tell a migration. Field names are the JSON of
 * {@code GET /analyzer/profile} (docs/analyzer.md). Lists hold the objects of the connected database outside the
 * system schemas and Exodus' own ({@code exodus}, {@code exodus_analyzer}).
 *
 * @param unreadable the parts that could not be read (privileges, a flavour without that catalog), with the error:
 *                   their lists are empty, and the checks that need them say so
 */
public record DatabaseProfile(String role, Server server, Map<String, Setting> settings, List<DatabaseSize> databases,
        List<Table> tables, List<Trigger> triggers, List<String> eventTriggers, List<Sequence> sequences,
        List<GeneratedColumn> generatedColumns, List<Extension> extensions, Map<String, String> availableExtensions,
        List<Collation> collations, List<CollatedIndexColumn> collatedIndexColumns,
        List<PartitionedTable> partitionedTables, long largeObjects, List<DeferrableConstraint> deferrableConstraints,
        List<VolatileDefault> volatileDefaults, List<ReplicationSlot> replicationSlots,
        List<PreparedTransaction> preparedTransactions, List<OpenTransaction> longTransactions, Activity activity,
        List<String> unreadable) {

    /** A setting's value as {@code SHOW} prints it, or empty when the server has no such setting. */
    public Optional<String> setting(String name) {
        return Optional.ofNullable(settings.get(name)).map(Setting::value);
    }

    /** A numeric setting in its base unit (8kB pages stay pages, kB stay kB), when it is one. */
    public Optional<Long> numericSetting(String name) {
        return Optional.ofNullable(settings.get(name)).flatMap(Setting::number);
    }

    public Optional<Extension> extension(String name) {
        return extensions.stream().filter(extension -> extension.name().equals(name)).findFirst();
    }

    /** Bytes of every database of the server this profile could size. */
    public long totalBytes() {
        return databases.stream().mapToLong(database -> database.bytes() == null ? 0 : database.bytes()).sum();
    }

    /**
     * @param versionNumber server_version_num, e.g. 150019
     * @param libcVersion   the C library version PostgreSQL reports for libc collations (glibc's, e.g. 2.36); null
     *                      where none reports one (only C, POSIX and C.* locales, or not glibc)
     * @param memoryBytes   the host's memory when the server lets itself read /proc/meminfo (a superuser on Linux)
     * @param cpus          the host's CPUs, read the same way
     */
    public record Server(String version, int versionNumber, String versionText, Flavour flavour, String flavourEvidence,
            String database, String encoding, String collate, String ctype, String localeProvider,
            String collationVersion, String actualCollationVersion, String libcVersion, boolean inRecovery,
            Long memoryBytes, Integer cpus) {

        public int majorVersion() {
            return versionNumber / 10000;
        }
    }

    public record Setting(String value, String setting, String unit) {
        Optional<Long> number() {
            try {
                return Optional.of(Long.parseLong(setting));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    public record DatabaseSize(String name, Long bytes) {
    }

    /**
     * @param kind            {@code table} or {@code partitioned}
     * @param replicaIdentity {@code default}, {@code nothing}, {@code full} or {@code index}
     * @param primaryKey      its columns, empty when the table has none
     */
    public record Table(String schema, String name, String kind, boolean unlogged, String replicaIdentity,
            String replicaIdentityIndex, List<String> primaryKey, String partitionOf, long estimatedRows, long bytes,
            int triggers) {

        public String qualifiedName() {
            return schema + "." + name;
        }
    }

    /** @param enabled pg_trigger.tgenabled: O (origin, the default), D (disabled), R (replica), A (always) */
    public record Trigger(String schema, String table, String name, String enabled, String function) {
    }

    /**
     * @param lastValue   null when the sequence was never used (or cannot be read)
     * @param table       the table and column it feeds (owned-by or identity), when it feeds one
     * @param columnType  that column's type, which overflows before the sequence when narrower
     * @param identity    {@code a} (ALWAYS), {@code d} (BY DEFAULT) or empty for serial/owned sequences
     */
    public record Sequence(String schema, String name, String dataType, Long lastValue, long minValue, long maxValue,
            long increment, String table, String column, String columnType, String identity) {
        private static final Map<String, Long> TYPE_LIMITS = Map.of("smallint", (long) Short.MAX_VALUE,
                "integer", (long) Integer.MAX_VALUE, "bigint", Long.MAX_VALUE);

        /** Its own bound, or its column's type's when that is narrower (a bigint sequence feeding an int4 key). */
        @JsonProperty
        public long limit() {
            long columnLimit = columnType == null ? Long.MAX_VALUE
                    : TYPE_LIMITS.getOrDefault(columnType, Long.MAX_VALUE);
            return increment > 0 ? Math.min(maxValue, columnLimit) : Math.max(minValue, -columnLimit);
        }

        /** The last value as a share of the limit; 0 for a sequence never used. */
        @JsonProperty
        public double usedShare() {
            return lastValue == null ? 0 : (double) lastValue / limit();
        }
    }

    public record GeneratedColumn(String schema, String table, String column, String expression) {
    }

    public record Extension(String name, String version) {
    }

    /**
     * @param provider      {@code libc}, {@code icu}, {@code builtin} or {@code default} (the database's)
     * @param version       collversion recorded when the collation was created or refreshed
     * @param actualVersion what the library in use reports now (pg_collation_actual_version)
     * @param columns       user columns that use it
     */
    public record Collation(String name, String provider, String locale, String version, String actualVersion,
            long columns) {
    }

    /** An index key column that sorts text, with its collation resolved (the database default made explicit). */
    public record CollatedIndexColumn(String schema, String table, String index, String column, String collation,
            String provider, String locale) {
    }

    /** @param strategy {@code range}, {@code list} or {@code hash} */
    public record PartitionedTable(String schema, String name, String strategy, long partitions) {
    }

    /** @param type {@code unique}, {@code primary-key}, {@code foreign-key} or {@code exclusion} */
    public record DeferrableConstraint(String schema, String table, String name, String type,
            boolean initiallyDeferred) {
    }

    /** A column default that calls volatile functions (random(), clock_timestamp(), nextval() …). */
    public record VolatileDefault(String schema, String table, String column, String expression,
            List<String> functions) {
    }

    /** @param retainedBytes WAL the slot keeps from being recycled, from its restart_lsn */
    public record ReplicationSlot(String name, String type, String plugin, String database, boolean active,
            Long retainedBytes, String walStatus) {
    }

    public record PreparedTransaction(String gid, OffsetDateTime prepared, String owner, String database,
            long ageSeconds) {
    }

    /** @param query the statement it runs or ran last, normalised (no literals) and cut to 200 characters */
    public record OpenTransaction(int pid, String user, String database, String state, String application,
            long ageSeconds, String query) {
    }

    /**
     * Counters since the statistics were last reset (or the server started): what the source's workload costs.
     *
     * @param walBytes null before PostgreSQL 14 (pg_stat_wal)
     */
    public record Activity(OffsetDateTime since, long commits, long rollbacks, long tempFiles, long tempBytes,
            Long walBytes) {

        public static final Activity NONE = new Activity(null, 0, 0, 0, 0, null);
    }
}
