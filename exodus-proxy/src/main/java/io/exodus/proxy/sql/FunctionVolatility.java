package io.exodus.proxy.sql;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which function calls make a statement more than a read. A {@code SELECT} that calls a volatile function may change
 * the database ({@code select archive_old_orders()}), so it must run on both legs; this class knows which functions
 * those are, from the source's catalog ({@link #CATALOG_QUERY}), without doing any I/O itself. A call to a function
 * the catalog does not hold is a write: the function was made after the catalog was read (by a migration, in
 * another session, behind the proxy), and taking an unknown function for a read would leave the target without
 * what it writes, silently. The one who holds the catalog is told of such calls ({@link #reportingUnknownCallsTo})
 * and reads it again.
 * <p>
 * Three lists refine the catalog:
 * <ul>
 * <li>volatile functions that never write and whose differing result does not matter when a read runs on the primary
 * alone ({@link #harmlessBuiltins()}): reading {@code random()} is still a read. In a write they still matter for
 * identical rows on both sides, which is the rewriting component's concern, not routing's;</li>
 * <li>functions that count as writes even without a catalog, and even where the catalog says stable
 * ({@link #alwaysWrites()}): sequences, advisory locks (they pin state to a session, so both legs take them, in
 * order), transaction ids (asking for one assigns one), large-object writers, {@code pg_notify};</li>
 * <li>{@code set_config}, which changes session state like {@code SET}: a read calling it becomes
 * {@link StatementKind#SESSION}.</li>
 * </ul>
 * Lookup follows PostgreSQL's name resolution loosely and on the safe side: an unqualified call matches a volatile
 * function of that name in any schema (the search_path is not known here); a qualified one matches that schema.
 * Immutable and thread-safe.
 */
public final class FunctionVolatility {

    /**
     * Each function's name, schema, volatility, and whether its body may read tables: a body in SQL or a procedural
     * language (not the server's internal or C functions, whose prosrc is a symbol) that holds SELECT, PERFORM or
     * EXECUTE (dynamic SQL, which may do anything).
     */
    private static final String FUNCTIONS = "select p.proname, n.nspname, p.provolatile::text,"
            + " p.prolang not in (12, 13) and p.prosrc ~* '\\m(" + PickedRows.READING_WORDS + ")\\M'"
            + " from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace";

    /** The functions of the server's own schemas (the same in every database), as rows for {@link #fromCatalog}. */
    public static final String BUILTIN_QUERY = FUNCTIONS + " where n.nspname in ('pg_catalog', 'information_schema')";

    /** A database's own functions (its schemas and extensions), as rows for {@link #fromCatalog}. */
    public static final String DATABASE_QUERY = FUNCTIONS
            + " where n.nspname not in ('pg_catalog', 'information_schema')";

    /** Every function of a database, as rows for {@link #fromCatalog}. */
    public static final String CATALOG_QUERY = FUNCTIONS;

    /**
     * One row of the catalog queries.
     *
     * @param volatility  {@code pg_proc.provolatile}: {@code i}, {@code s} or {@code v}
     * @param readsTables whether its body may read tables (see {@link #FUNCTIONS})
     */
    public record CatalogRow(String name, String schema, String volatility, boolean readsTables) {
        public CatalogRow {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(volatility, "volatility");
        }

        /** A function whose body reads no table. */
        public CatalogRow(String name, String schema, String volatility) {
            this(name, schema, volatility, false);
        }

        /** A volatile function of that name and schema. */
        public static CatalogRow ofVolatile(String name, String schema) {
            return new CatalogRow(name, schema, "v");
        }

        boolean isVolatile() {
            return volatility.equals("v");
        }
    }

    private static final String PG_CATALOG = "pg_catalog";

    // Volatile in pg_catalog (checked against PostgreSQL 15, see CatalogVolatilityTest), yet harmless in a read.
    // Not listed because they are stable anyway, so never in the catalog rows: now(), statement_timestamp(),
    // transaction_timestamp(), pg_backend_pid(), version(), current_setting(), txid_current_if_assigned().
    private static final Set<String> HARMLESS_BUILTINS = Set.of(
            "random",             // a new number per call; the client sees the primary's
            "random_normal",      // PostgreSQL 16+: same as random
            "setseed",            // seeds this session's random(), which no write should depend on (see above)
            "clock_timestamp",    // the primary's clock, as the client expects
            "timeofday",          // the same, as text
            "cursor_to_xml",      // fetch from a cursor of the session: the one the client reads, on the primary
            "cursor_to_xmlschema",
            "pg_sleep",           // waits; running it on the secondary as well would only double the wait
            "pg_sleep_for",
            "pg_sleep_until",
            "gen_random_uuid",    // a fresh uuid for the client to read; in an INSERT it matters, but that is a write
            "currval",            // reads this session's sequence state on the primary, where nextval ran first
            "lastval",
            "pg_is_in_recovery",  // describe the server the client is talking to: the primary
            "pg_current_wal_lsn",
            "pg_current_wal_insert_lsn",
            "pg_current_wal_flush_lsn",
            "pg_last_wal_receive_lsn",
            "pg_last_wal_replay_lsn",
            "pg_last_xact_replay_timestamp",
            "pg_partition_tree",  // read the catalog (psql's \d of a partition): volatile only for want of a snapshot
            "pg_partition_ancestors");

    // uuid-ossp installs into any schema; v3 and v5 are immutable already.
    private static final Set<String> HARMLESS_EXTENSION_FUNCTIONS = Set.of(
            "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4");

    private static final Set<String> ALWAYS_WRITES = Set.of(
            // sequences: nextval advances, setval sets; both must happen on both legs
            "nextval", "setval",
            // advisory locks: held by a session (or transaction) on both legs so that both serialise the same way
            "pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared",
            "pg_advisory_xact_lock", "pg_advisory_xact_lock_shared", "pg_try_advisory_xact_lock",
            "pg_try_advisory_xact_lock_shared", "pg_advisory_unlock", "pg_advisory_unlock_shared",
            "pg_advisory_unlock_all",
            // large objects: creating, writing, removing, and the descriptors and positions those writes use
            "lo_create", "lo_creat", "lo_import", "lo_unlink", "lo_put", "lo_from_bytea", "lowrite", "lo_truncate",
            "lo_truncate64", "lo_open", "lo_close", "loread", "lo_lseek", "lo_lseek64",
            // NOTIFY as a function: NOTIFY is a write
            "pg_notify");

    /**
     * Functions whose effect or answer belongs to one server: its processes, transaction ids, WAL, replication slots,
     * statistics, configuration and files. They run where the client's answer comes from and nowhere else: mirrored, a
     * {@code txid_status()} of a source transaction id fails on the target, and {@code pg_terminate_backend} of a
     * source pid would end an unrelated target session. A statement calling one is never a canary read either.
     */
    private static final Set<String> SERVER_LOCAL = Set.of(
            "pg_terminate_backend", "pg_cancel_backend", "pg_backend_pid", "pg_blocking_pids",
            "pg_safe_snapshot_blocking_pids", "pg_log_backend_memory_contexts",
            "txid_current", "pg_current_xact_id", "txid_current_if_assigned", "pg_current_xact_id_if_assigned",
            "txid_current_snapshot", "pg_current_snapshot", "txid_status", "pg_xact_status", "pg_export_snapshot",
            "inet_server_addr", "inet_server_port", "pg_postmaster_start_time", "pg_conf_load_time",
            "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_create_restore_point", "pg_promote",
            "pg_wal_replay_pause", "pg_wal_replay_resume", "pg_backup_start", "pg_backup_stop", "pg_start_backup",
            "pg_stop_backup", "pg_create_physical_replication_slot", "pg_create_logical_replication_slot",
            "pg_drop_replication_slot", "pg_copy_physical_replication_slot", "pg_copy_logical_replication_slot",
            "pg_replication_slot_advance", "pg_logical_slot_get_changes", "pg_logical_slot_get_binary_changes",
            "pg_logical_slot_peek_changes", "pg_logical_slot_peek_binary_changes", "pg_logical_emit_message",
            "pg_stat_reset", "pg_stat_reset_shared", "pg_stat_reset_single_table_counters",
            "pg_stat_reset_single_function_counters", "pg_stat_reset_slru", "pg_stat_reset_replication_slot",
            "pg_stat_clear_snapshot", "pg_stat_force_next_flush",
            // sizes, locks, files, control data and statistics of the server (psql's \d+ and \l+ ask for sizes)
            "pg_relation_size", "pg_table_size", "pg_indexes_size", "pg_total_relation_size", "pg_database_size",
            "pg_tablespace_size", "pg_collation_actual_version", "pg_database_collation_actual_version",
            "pg_lock_status", "pg_prepared_xact", "pg_stat_file", "pg_ls_dir", "pg_ls_logdir", "pg_ls_waldir",
            "pg_ls_tmpdir", "pg_ls_archive_statusdir", "pg_ls_logicalmapdir", "pg_ls_logicalsnapdir",
            "pg_ls_replslotdir", "pg_read_file", "pg_read_binary_file", "pg_current_logfile", "pg_control_checkpoint",
            "pg_control_init", "pg_control_recovery", "pg_control_system", "pg_get_backend_memory_contexts",
            "pg_get_shmem_allocations", "pg_hba_file_rules", "pg_ident_file_mappings", "pg_show_all_file_settings",
            "pg_get_multixact_members", "pg_last_committed_xact", "pg_notification_queue_usage",
            "pg_is_wal_replay_paused", "pg_get_wal_replay_pause_state", "pg_jit_available", "pg_stat_have_stats",
            "pg_xact_commit_timestamp", "pg_xact_commit_timestamp_origin", "pg_show_replication_origin_status",
            "current_query", "pg_sequence_last_value", "pg_stat_get_xact_blocks_fetched",
            "pg_stat_get_xact_blocks_hit", "pg_stat_get_xact_function_calls", "pg_stat_get_xact_function_self_time",
            "pg_stat_get_xact_function_total_time", "pg_stat_get_xact_numscans", "pg_stat_get_xact_tuples_deleted",
            "pg_stat_get_xact_tuples_fetched", "pg_stat_get_xact_tuples_hot_updated",
            "pg_stat_get_xact_tuples_inserted", "pg_stat_get_xact_tuples_returned", "pg_stat_get_xact_tuples_updated",
            // writes a file on the server's host: the source's; the target's host is another (or a managed service)
            "lo_export");

    private static final Set<String> SESSION_SETTERS = Set.of("set_config");

    /** The schemas PostgreSQL itself fills: their functions change only with the server's version. */
    private static final Set<String> SERVER_SCHEMAS = Set.of(PG_CATALOG, "information_schema");

    /**
     * Words that {@link FunctionCalls} may report as calls but that are SQL syntax, never a function of the catalog
     * ({@code coalesce(…)}, {@code count(*) filter (…)}, {@code over (…)}, {@code order by (…)}, {@code at time
     * zone (…)}): reads, when unqualified. Anything else not in the catalog is taken for a write.
     */
    private static final Set<String> SYNTAX_CALLS = Set.of(
            "coalesce", "nullif", "greatest", "least", "extract", "position", "substring", "trim", "overlay",
            "filter", "over", "by", "zone", "escape", "operator", "sets", "cube", "rollup", "grouping", "repeatable",
            "materialized", "collation", "treat", "current_time", "current_timestamp", "localtime", "localtimestamp",
            "xmlelement", "xmlforest", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmlexists", "xmlconcat",
            "xmlattributes", "xmlnamespaces", "xmltable", "json_object", "json_array", "json_objectagg",
            "json_arrayagg", "json", "json_scalar", "json_serialize", "json_query", "json_value", "json_exists",
            "json_table", "merge_action");

    /**
     * Server functions that run SQL given to them as text ({@code query_to_xml('select f()', …)}): what that runs is
     * not in the calling statement's text.
     */
    private static final Set<String> RUNS_SQL_TEXT = Set.of("query_to_xml", "query_to_xmlschema",
            "query_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema", "ts_stat");

    /** Before any catalog: every function not in the built-in lists counts as not volatile (tests, tools). */
    private static final FunctionVolatility WITHOUT_CATALOG = new FunctionVolatility(false, Set.of(), Set.of(),
            Set.of(), Set.of(), Set.of(), true, call -> {
            }, Set.of(), Set.of(), Set.of());

    /** Whether a call to a function the catalog does not know is a write (false only without a catalog). */
    private final boolean strict;
    private final Set<String> volatileNames;
    private final Set<String> volatileQualifiedNames;
    /** Names of the functions of {@link #SERVER_SCHEMAS} that are not volatile (or harmless). */
    private final Set<String> builtinNames;
    /** Names, and schema-qualified names, of the database's own functions that are not volatile. */
    private final Set<String> userNames;
    private final Set<String> userQualifiedNames;
    /** False while a change of the database's functions may not be in the catalog yet: none of them is a read. */
    private final boolean userFunctionsTrusted;
    /** Told of every call that the catalog does not know, so that it can be read again. */
    private final Consumer<String> unknownCalls;
    /** Names of every function of {@link #SERVER_SCHEMAS}, volatile or not. */
    private final Set<String> serverNames;
    /** Names of every function of the database's own schemas, volatile or not. */
    private final Set<String> ownNames;
    /** Names, and schema-qualified names, of the database's own functions whose bodies may read tables. */
    private final Set<String> readerNames;

    private FunctionVolatility(boolean strict, Set<String> volatileNames, Set<String> volatileQualifiedNames,
            Set<String> builtinNames, Set<String> userNames, Set<String> userQualifiedNames,
            boolean userFunctionsTrusted, Consumer<String> unknownCalls, Set<String> serverNames,
            Set<String> ownNames, Set<String> readerNames) {
        this.strict = strict;
        this.volatileNames = volatileNames;
        this.volatileQualifiedNames = volatileQualifiedNames;
        this.builtinNames = builtinNames;
        this.userNames = userNames;
        this.userQualifiedNames = userQualifiedNames;
        this.userFunctionsTrusted = userFunctionsTrusted;
        this.readerNames = readerNames;
        this.unknownCalls = unknownCalls;
        this.serverNames = serverNames;
        this.ownNames = ownNames;
    }

    /**
     * Only the built-in lists, every other function taken for one that does not write: for classifying text where
     * no database is at hand (tests, tools). The proxy classifies with {@link #fromCatalog}.
     */
    public static FunctionVolatility withoutCatalog() {
        return WITHOUT_CATALOG;
    }

    /**
     * From rows of {@link #BUILTIN_QUERY} and {@link #DATABASE_QUERY} (or {@link #CATALOG_QUERY}) run on the source:
     * a call to a volatile function is a write (the harmless ones aside), a call to a function that is not volatile
     * a read, and a call to a function the rows do not hold (made after they were read) a write.
     */
    public static FunctionVolatility fromCatalog(Iterable<CatalogRow> rows) {
        Set<String> names = new HashSet<>();
        Set<String> qualified = new HashSet<>();
        Set<String> builtins = new HashSet<>();
        Set<String> userNames = new HashSet<>();
        Set<String> userQualified = new HashSet<>();
        Set<String> serverNames = new HashSet<>();
        Set<String> ownNames = new HashSet<>();
        Set<String> readerNames = new HashSet<>();
        for (CatalogRow row : rows) {
            boolean server = SERVER_SCHEMAS.contains(row.schema());
            (server ? serverNames : ownNames).add(row.name());
            if (!server && row.readsTables()) {
                readerNames.add(row.name());
                readerNames.add(row.schema() + "." + row.name());
            }
            if (row.isVolatile() && !isHarmless(row)) {
                names.add(row.name());
                qualified.add(row.schema() + "." + row.name());
            } else if (server) {
                builtins.add(row.name());
            } else {
                userNames.add(row.name());
                userQualified.add(row.schema() + "." + row.name());
            }
        }
        return new FunctionVolatility(true, Set.copyOf(names), Set.copyOf(qualified), Set.copyOf(builtins),
                Set.copyOf(userNames), Set.copyOf(userQualified), true, call -> {
                }, Set.copyOf(serverNames), Set.copyOf(ownNames), Set.copyOf(readerNames));
    }

    /** The same catalog, with every function outside the server's own schemas taken for one that writes. */
    public FunctionVolatility distrustingUserFunctions() {
        return new FunctionVolatility(strict, volatileNames, volatileQualifiedNames, builtinNames, userNames,
                userQualifiedNames, false, unknownCalls, serverNames, ownNames, readerNames);
    }

    /** The same catalog, telling {@code listener} of each call it does not know (from any thread). */
    public FunctionVolatility reportingUnknownCallsTo(Consumer<String> listener) {
        return new FunctionVolatility(strict, volatileNames, volatileQualifiedNames, builtinNames, userNames,
                userQualifiedNames, userFunctionsTrusted, listener, serverNames, ownNames, readerNames);
    }

    /**
     * What calling the function does to a read: {@link StatementKind#WRITE}, {@link StatementKind#SESSION} or
     * {@link StatementKind#READ} (nothing).
     *
     * @param call a name as in {@link Classification#functionCalls()}: {@code f}, {@code schema.f} or {@code db.schema.f}
     */
    public StatementKind effectOf(String call) {
        int lastDot = call.lastIndexOf('.');
        String name = lastDot < 0 ? call : call.substring(lastDot + 1);
        if (isServerLocal(call)) {
            return StatementKind.READ;
        }
        // Whatever schema they come from: a look-alike of nextval in another schema is safer taken as a write.
        if (ALWAYS_WRITES.contains(name)) {
            return StatementKind.WRITE;
        }
        if (SESSION_SETTERS.contains(name)) {
            return StatementKind.SESSION;
        }
        // The whole call first: a quoted name may itself contain a dot ("my.f"() or public."my.f"()).
        String qualified = lastDot < 0 ? call : schemaAndName(call, lastDot);
        if (volatileNames.contains(call) || volatileQualifiedNames.contains(call)
                || (lastDot >= 0 && volatileQualifiedNames.contains(qualified))) {
            return StatementKind.WRITE;
        }
        if (!strict || isKnown(call, name, lastDot, qualified)) {
            return StatementKind.READ;
        }
        if (lastDot < 0 && SYNTAX_CALLS.contains(call)) {
            return StatementKind.READ;
        }
        unknownCalls.accept(call);
        return StatementKind.WRITE;
    }

    /** Whether the catalog holds the function as one that is not volatile (and may be trusted to be so now). */
    private boolean isKnown(String call, String name, int lastDot, String qualified) {
        if (lastDot < 0) {
            return builtinNames.contains(call) || userFunctionsTrusted && userNames.contains(call);
        }
        if (userFunctionsTrusted && (userNames.contains(call) || userQualifiedNames.contains(qualified))) {
            return true;
        }
        int schemaDot = qualified.indexOf('.');
        return schemaDot > 0 && SERVER_SCHEMAS.contains(qualified.substring(0, schemaDot))
                && builtinNames.contains(name);
    }

    /**
     * The first of {@code calls} to a function of the database's own whose body may read tables, as {@code name()};
     * null when none is. Such a function, run as its call on the target, reads them later than the source did (with
     * its transaction's COMMIT, ADR 0051), as they are then.
     */
    public String firstReadingTables(List<String> calls) {
        for (String call : calls) {
            int lastDot = call.lastIndexOf('.');
            if (readerNames.contains(call) || lastDot >= 0 && readerNames.contains(schemaAndName(call, lastDot))) {
                return call + "()";
            }
        }
        return null;
    }

    /**
     * Whether the call can run PostgreSQL's own code only: a function of the server's schemas that no function of the
     * database's own shares a name with (whichever the search_path picks, it is the server's), or SQL syntax. False
     * for a name the catalog does not know, without a catalog, and for the server functions that run SQL given as
     * text. Session settings change in such a call only by {@code set_config}, which callers look for apart.
     */
    public boolean runsServerCodeOnly(String call) {
        if (!strict) {
            return false;
        }
        int lastDot = call.lastIndexOf('.');
        String name = lastDot < 0 ? call : call.substring(lastDot + 1);
        if (RUNS_SQL_TEXT.contains(name)) {
            return false;
        }
        if (lastDot < 0) {
            return !ownNames.contains(call) && (serverNames.contains(call) || SYNTAX_CALLS.contains(call));
        }
        String qualified = schemaAndName(call, lastDot);
        int schemaDot = qualified.indexOf('.');
        return schemaDot > 0 && SERVER_SCHEMAS.contains(qualified.substring(0, schemaDot))
                && serverNames.contains(name);
    }

    /** Whether the call is one of PostgreSQL's server-local functions (see {@link #SERVER_LOCAL}). */
    public static boolean isServerLocal(String call) {
        int lastDot = call.lastIndexOf('.');
        if (lastDot < 0) {
            return SERVER_LOCAL.contains(call);
        }
        return call.startsWith(PG_CATALOG + ".") && SERVER_LOCAL.contains(call.substring(lastDot + 1));
    }

    /** Whether the database's own functions that are not volatile count as reads (see {@link #distrustingUserFunctions}). */
    public boolean trustsUserFunctions() {
        return userFunctionsTrusted;
    }

    /** Whether {@code other} holds the same functions (whatever it reports to, and trusts). */
    public boolean sameFunctions(FunctionVolatility other) {
        return strict == other.strict && volatileQualifiedNames.equals(other.volatileQualifiedNames)
                && builtinNames.equals(other.builtinNames) && userQualifiedNames.equals(other.userQualifiedNames);
    }

    static Set<String> harmlessBuiltins() {
        return HARMLESS_BUILTINS;
    }

    static Set<String> alwaysWrites() {
        return ALWAYS_WRITES;
    }

    private static boolean isHarmless(CatalogRow row) {
        return (HARMLESS_BUILTINS.contains(row.name()) && row.schema().equals(PG_CATALOG))
                || HARMLESS_EXTENSION_FUNCTIONS.contains(row.name());
    }

    /** {@code db.schema.f} is {@code schema.f}: the database part can only name the current database. */
    private static String schemaAndName(String call, int lastDot) {
        int schemaDot = call.lastIndexOf('.', lastDot - 1);
        return schemaDot < 0 ? call : call.substring(schemaDot + 1);
    }

    @Override
    public String toString() {
        return "FunctionVolatility[" + volatileNames.size() + " volatile and " + (builtinNames.size() + userNames.size())
                + " other functions from the catalog" + (userFunctionsTrusted ? "" : ", user functions distrusted") + "]";
    }
}
