package io.exodus.analyzer.profile;

/**
 * The catalog queries behind a {@link DatabaseProfile}, for PostgreSQL 13 and later. Read-only, cheap (no table
 * scans), and each one answers one section, so that a section the analyzer's role may not read fails alone.
 */
final class CatalogQueries {
    private CatalogQueries() {
    }

    /** Schemas that are not the application's: the system's and Exodus' own control tables. */
    private static final String USER_SCHEMA = """
            n.nspname NOT IN ('pg_catalog', 'information_schema', 'exodus', 'exodus_analyzer')
            AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'""";

    static final String SERVER = """
            SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS number,
                   version() AS version_text, current_database() AS database,
                   pg_encoding_to_char(d.encoding) AS encoding, d.datcollate::text AS collate,
                   d.datctype::text AS ctype, pg_is_in_recovery() AS in_recovery
            FROM pg_database d WHERE d.datname = current_database()""";

    /** PostgreSQL 15 added a per-database locale provider and the collation version it was created with. */
    static final String DATABASE_COLLATION_15 = """
            SELECT d.datlocprovider::text AS provider, d.datcollversion AS version,
                   pg_database_collation_actual_version(d.oid) AS actual_version
            FROM pg_database d WHERE d.datname = current_database()""";

    /** PostgreSQL reports no version for C, POSIX and C.* locales; any other libc collation reports glibc's. */
    static final String LIBC_VERSION = """
            SELECT pg_collation_actual_version(oid) AS version FROM pg_collation
            WHERE collprovider = 'c' AND pg_collation_actual_version(oid) IS NOT NULL LIMIT 1""";

    static final String MARKS = """
            SELECT ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname::text = ANY($1::text[])) AS roles,
                   ARRAY(SELECT DISTINCT split_part(name, '.', 1) FROM pg_settings WHERE name LIKE '%.%') AS prefixes,
                   ARRAY(SELECT DISTINCT proname::text FROM pg_proc WHERE proname::text = ANY($2::text[])) AS functions""";

    static final String SETTINGS = """
            SELECT name, current_setting(name) AS value, setting, unit FROM pg_settings WHERE name = ANY($1::text[])""";

    static final String DATABASES = """
            SELECT datname::text AS name,
                   CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid) END AS bytes
            FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY bytes DESC NULLS LAST, name""";

    static final String TABLES = """
            SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
                   c.relpersistence = 'u' AS unlogged, c.relreplident::text AS replica_identity,
                   (SELECT i.indexrelid::regclass::text FROM pg_index i
                     WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_identity_index,
                   ARRAY(SELECT a.attname::text FROM pg_constraint pk
                          CROSS JOIN LATERAL unnest(pk.conkey) WITH ORDINALITY AS k(attnum, position)
                          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                          WHERE pk.conrelid = c.oid AND pk.contype = 'p' ORDER BY k.position) AS primary_key,
                   (SELECT p.inhparent::regclass::text FROM pg_inherits p
                     WHERE p.inhrelid = c.oid AND c.relispartition) AS partition_of,
                   greatest(c.reltuples, 0)::bigint AS estimated_rows, pg_total_relation_size(c.oid) AS bytes,
                   (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)::int AS triggers
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND %s
            ORDER BY bytes DESC, schema, name""".formatted(USER_SCHEMA);

    static final String TRIGGERS = """
            SELECT n.nspname::text AS schema, c.relname::text AS table_name, t.tgname::text AS name,
                   t.tgenabled::text AS enabled, p.proname::text AS function
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND %s ORDER BY schema, table_name, name""".formatted(USER_SCHEMA);

    static final String EVENT_TRIGGERS = "SELECT evtname::text AS name FROM pg_event_trigger ORDER BY name";

    static final String SEQUENCES = """
            SELECT s.schemaname::text AS schema, s.sequencename::text AS name, s.data_type::text AS data_type,
                   s.last_value, s.min_value, s.max_value, s.increment_by,
                   tab.relname::text AS table_name, a.attname::text AS column_name,
                   format_type(a.atttypid, a.atttypmod) AS column_type, coalesce(a.attidentity::text, '') AS identity
            FROM pg_sequences s
            JOIN pg_namespace n ON n.nspname = s.schemaname
            JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = n.oid
            LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = sc.oid
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LEFT JOIN pg_class tab ON tab.oid = d.refobjid
            LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE %s ORDER BY schema, name""".formatted(USER_SCHEMA);

    static final String GENERATED_COLUMNS = """
            SELECT n.nspname::text AS schema, c.relname::text AS table_name, a.attname::text AS column_name,
                   pg_get_expr(d.adbin, d.adrelid) AS expression
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attgenerated <> '' AND NOT a.attisdropped AND %s
            ORDER BY schema, table_name, column_name""".formatted(USER_SCHEMA);

    static final String EXTENSIONS = "SELECT extname::text AS name, extversion AS version FROM pg_extension ORDER BY 1";

    static final String AVAILABLE_EXTENSIONS = """
            SELECT name::text AS name, default_version AS version FROM pg_available_extensions ORDER BY 1""";

    /** The collations user columns and indexes use, the database default among them. */
    static final String COLLATIONS = """
            WITH used AS (
                SELECT a.attcollation AS oid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE a.attcollation <> 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm') AND %s
                UNION
                SELECT k.oid FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                CROSS JOIN LATERAL unnest(x.indcollation::oid[]) AS k(oid) WHERE k.oid <> 0 AND %s)
            SELECT co.collname::text AS name, co.collprovider::text AS provider, co.collcollate::text AS locale,
                   co.collversion AS version, pg_collation_actual_version(co.oid) AS actual_version,
                   (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE a.attcollation = co.oid AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND %s) AS columns
            FROM pg_collation co WHERE co.oid IN (SELECT oid FROM used) ORDER BY name"""
            .formatted(USER_SCHEMA, USER_SCHEMA, USER_SCHEMA);

    /** Index key columns with a collation, i.e. that sort text; INCLUDE columns have none and drop out. */
    static final String COLLATED_INDEX_COLUMNS = """
            SELECT n.nspname::text AS schema, t.relname::text AS table_name, i.relname::text AS index_name,
                   coalesce(a.attname::text, 'expression') AS column_name, co.collname::text AS collation,
                   co.collprovider::text AS provider, co.collcollate::text AS locale
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indcollation::oid[]) AS k(attnum, collation_oid)
            JOIN pg_collation co ON co.oid = k.collation_oid
            LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
            WHERE %s ORDER BY schema, table_name, index_name""".formatted(USER_SCHEMA);

    static final String PARTITIONED_TABLES = """
            SELECT n.nspname::text AS schema, c.relname::text AS name, pt.partstrat::text AS strategy,
                   (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid) AS partitions
            FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE %s ORDER BY schema, name""".formatted(USER_SCHEMA);

    static final String LARGE_OBJECTS = "SELECT count(*) AS count FROM pg_largeobject_metadata";

    static final String DEFERRABLE_CONSTRAINTS = """
            SELECT n.nspname::text AS schema, c.relname::text AS table_name, con.conname::text AS name,
                   con.contype::text AS type, con.condeferred AS initially_deferred
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE con.condeferrable AND %s ORDER BY schema, table_name, name""".formatted(USER_SCHEMA);

    /**
     * Defaults that call volatile functions. pg_depend cannot tell: PostgreSQL records no dependency on built-in
     * functions such as random(). So the names called in the default's text are looked up in pg_proc.
     */
    static final String VOLATILE_DEFAULTS = """
            SELECT * FROM (
                SELECT n.nspname::text AS schema, c.relname::text AS table_name, a.attname::text AS column_name,
                       pg_get_expr(d.adbin, d.adrelid) AS expression,
                       ARRAY(SELECT DISTINCT m[1] FROM regexp_matches(pg_get_expr(d.adbin, d.adrelid),
                                 '([A-Za-z_][A-Za-z0-9_$]*)\\(', 'g') AS m
                             WHERE EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname = m[1] AND p.provolatile = 'v')
                             ORDER BY 1) AS functions
                FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE a.attgenerated = '' AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND %s) defaults
            WHERE cardinality(functions) > 0 ORDER BY schema, table_name, column_name""".formatted(USER_SCHEMA);

    static final String REPLICATION_SLOTS = """
            SELECT slot_name::text AS name, slot_type AS type, plugin::text AS plugin, database::text AS database,
                   active, wal_status,
                   pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                                        ELSE pg_current_wal_lsn() END, restart_lsn)::bigint AS retained_bytes
            FROM pg_replication_slots ORDER BY retained_bytes DESC NULLS LAST, name""";

    static final String PREPARED_TRANSACTIONS = """
            SELECT gid, prepared, owner::text AS owner, database::text AS database,
                   extract(epoch FROM now() - prepared)::bigint AS age_seconds
            FROM pg_prepared_xacts ORDER BY prepared""";

    static final String LONG_TRANSACTIONS = """
            SELECT pid, usename::text AS usename, datname::text AS datname, state, application_name,
                   extract(epoch FROM now() - xact_start)::bigint AS age_seconds, left(query, 2000) AS query
            FROM pg_stat_activity
            WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'
              AND now() - xact_start > make_interval(secs => $1::float8)
            ORDER BY xact_start""";

    static final String ACTIVITY = """
            SELECT coalesce(min(stats_reset), pg_postmaster_start_time()) AS since,
                   sum(xact_commit)::bigint AS commits, sum(xact_rollback)::bigint AS rollbacks,
                   sum(temp_files)::bigint AS temp_files, sum(temp_bytes)::bigint AS temp_bytes
            FROM pg_stat_database""";

    /** PostgreSQL 14 added pg_stat_wal. */
    static final String WAL_14 = "SELECT wal_bytes::bigint AS wal_bytes FROM pg_stat_wal";

    /** Only a superuser (or pg_read_server_files) on Linux may read these; elsewhere the sizes stay unknown. */
    static final String HOST_MEMORY = "SELECT pg_read_file('/proc/meminfo') AS text";
    static final String HOST_CPUS = "SELECT pg_read_file('/proc/cpuinfo') AS text";

    /** The volatility of the functions the captured workload calls, most volatile of any overload. */
    static final String FUNCTION_VOLATILITY = """
            SELECT proname::text AS name, max(provolatile::text) AS volatility FROM pg_proc
            WHERE proname::text = ANY($1::text[]) GROUP BY proname ORDER BY proname""";
}
