package io.exodus.proxy.sql;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which function calls make a statement more than a read. A {@code SELECT} that calls a volatile function may change
 * the database ({@code select archive_old_orders()}), so it must run on both legs; this class knows which functions
 * those are, from the source's catalog ({@link #CATALOG_QUERY}), without doing any I/O itself.
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

    /** The source catalog's volatile functions, as (name, schema) rows for {@link #fromCatalog}. */
    public static final String CATALOG_QUERY = "select distinct p.proname, n.nspname from pg_proc p"
            + " join pg_namespace n on n.oid = p.pronamespace where p.provolatile = 'v'";

    /** One row of {@link #CATALOG_QUERY}. */
    public record CatalogRow(String name, String schema) {
        public CatalogRow {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, "schema");
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
            "pg_last_xact_replay_timestamp");

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
     * statistics and configuration. They run where the client's answer comes from and nowhere else: mirrored, a
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
            "pg_stat_clear_snapshot", "pg_stat_force_next_flush");

    private static final Set<String> SESSION_SETTERS = Set.of("set_config");

    private static final FunctionVolatility WITHOUT_CATALOG = new FunctionVolatility(Set.of(), Set.of());

    private final Set<String> volatileNames;
    private final Set<String> volatileQualifiedNames;

    private FunctionVolatility(Set<String> volatileNames, Set<String> volatileQualifiedNames) {
        this.volatileNames = volatileNames;
        this.volatileQualifiedNames = volatileQualifiedNames;
    }

    /** Only the built-in lists: what holds before the catalog is loaded, or when it cannot be. */
    public static FunctionVolatility withoutCatalog() {
        return WITHOUT_CATALOG;
    }

    /** From the rows of {@link #CATALOG_QUERY} run on the source, minus the harmless ones. */
    public static FunctionVolatility fromCatalog(Iterable<CatalogRow> rows) {
        Set<String> names = new HashSet<>();
        Set<String> qualified = new HashSet<>();
        for (CatalogRow row : rows) {
            if (isHarmless(row)) {
                continue;
            }
            names.add(row.name());
            qualified.add(row.schema() + "." + row.name());
        }
        return new FunctionVolatility(Set.copyOf(names), Set.copyOf(qualified));
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
        boolean isVolatile = volatileNames.contains(call) || volatileQualifiedNames.contains(call)
                || (lastDot >= 0 && volatileQualifiedNames.contains(schemaAndName(call, lastDot)));
        return isVolatile ? StatementKind.WRITE : StatementKind.READ;
    }

    /** Whether the call is one of PostgreSQL's server-local functions (see {@link #SERVER_LOCAL}). */
    public static boolean isServerLocal(String call) {
        int lastDot = call.lastIndexOf('.');
        if (lastDot < 0) {
            return SERVER_LOCAL.contains(call);
        }
        return call.startsWith(PG_CATALOG + ".") && SERVER_LOCAL.contains(call.substring(lastDot + 1));
    }

    /** How many volatile functions (by name) the catalog contributed, for logs. */
    public int catalogSize() {
        return volatileNames.size();
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
        return "FunctionVolatility[" + volatileNames.size() + " volatile functions from the catalog]";
    }
}
