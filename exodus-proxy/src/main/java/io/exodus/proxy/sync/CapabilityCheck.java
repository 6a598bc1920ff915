package io.exodus.proxy.sync;

import io.exodus.proxy.loginsettings.LoginSettings;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the sync needs from the two databases, checked before anything is written to either: logical decoding
 * on the source, the right to use it, a free slot and WAL sender, keys for streamed updates, the target's
 * extensions, the target role's right to apply changes without firing triggers twice, and the settings the target's
 * database and roles give a session at login ({@link LoginSettings}).
 */
final class CapabilityCheck {
    static final String WAL_LEVEL_HINT = "the source must run with wal_level = logical (then restart it): "
            + "self-managed, ALTER SYSTEM SET wal_level = logical; Amazon RDS and Aurora, rds.logical_replication = 1 "
            + "in the DB (cluster) parameter group, then reboot; Google Cloud SQL, the database flag "
            + "cloudsql.logical_decoding = on; Azure Database for PostgreSQL flexible server, the server parameter "
            + "wal_level = logical";

    private static final String SOURCE_FACTS = """
            SELECT current_setting('wal_level'),
                   (SELECT r.rolsuper OR r.rolreplication
                           OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles g WHERE g.rolname = 'rds_replication'
                                      AND pg_catalog.pg_has_role(current_user, g.oid, 'member'))
                    FROM pg_catalog.pg_roles r WHERE r.rolname = current_user),
                   current_setting('max_replication_slots')::int
                     - (SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name <> $1),
                   current_setting('max_wal_senders')::int
                     - (SELECT count(*) FROM pg_catalog.pg_stat_replication),
                   EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND active),
                   current_setting('server_version_num')::int""";

    private static final String SOURCE_EXTENSIONS = "SELECT extname FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql'";
    private static final String TARGET_EXTENSIONS = "SELECT name FROM pg_catalog.pg_available_extensions";
    private static final String LARGE_OBJECTS = "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata";
    /** The source server's other databases a client could use, leaving out those every server or service has. */
    private static final String OTHER_DATABASES = "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn "
            + "AND NOT datistemplate AND datname <> current_database() AND datname NOT IN ('postgres', 'rdsadmin', "
            + "'cloudsqladmin', 'azure_maintenance', 'azure_sys') ORDER BY 1";

    private CapabilityCheck() {
    }

    static Future<CapabilityReport> run(Pool source, Pool target, SourceCatalog.Tables tables,
            SyncSettings settings, int pgDumpMajor) {
        List<String> refusals = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Future<Void> sourceFacts = source.preparedQuery(SOURCE_FACTS).execute(Tuple.of(SyncNames.SLOT)).map(rows -> {
            Row row = rows.iterator().next();
            if (!"logical".equals(row.getString(0))) {
                refusals.add("the source runs with wal_level = " + row.getString(0) + "; " + WAL_LEVEL_HINT);
            }
            if (!Boolean.TRUE.equals(row.getBoolean(1))) {
                refusals.add("the source's user may not use replication: ALTER ROLE … REPLICATION (Amazon RDS and "
                        + "Aurora: GRANT rds_replication TO …; Google Cloud SQL: ALTER USER … WITH REPLICATION)");
            }
            if (row.getInteger(2) < 1) {
                refusals.add("the source has no free replication slot: raise max_replication_slots (restart) or "
                        + "drop an unused slot (pg_replication_slots)");
            }
            if (row.getInteger(3) < 1) {
                refusals.add("the source has no free WAL sender: raise max_wal_senders (restart)");
            }
            if (row.getBoolean(4)) {
                refusals.add("the slot " + SyncNames.SLOT + " is in use: another sync runs on this source (or the "
                        + "proxy that ran one died a moment ago and its session on the source has not ended yet: "
                        + "try again in a few seconds)");
            }
            int sourceMajor = row.getInteger(5) / 10000;
            if (pgDumpMajor < sourceMajor) {
                refusals.add("pg_dump " + pgDumpMajor + " cannot dump a PostgreSQL " + sourceMajor + " source: point "
                        + "exodus.sync.pg-bin at the client programs of version " + sourceMajor + " or newer");
            }
            return null;
        });
        Future<Void> extensions = source.query(SOURCE_EXTENSIONS).execute()
                .compose(used -> target.query(TARGET_EXTENSIONS).execute().map(available -> {
                    List<String> there = new ArrayList<>();
                    available.forEach(row -> there.add(row.getString(0)));
                    List<String> missing = new ArrayList<>();
                    used.forEach(row -> {
                        if (!there.contains(row.getString(0))) {
                            missing.add(row.getString(0));
                        }
                    });
                    if (!missing.isEmpty()) {
                        refusals.add("extensions of the source that the target cannot install: "
                                + String.join(", ", missing) + "; install them on the target's server first");
                    }
                    return null;
                }));
        Future<Void> replicaRole = target.withConnection(connection -> connection
                .query("SET session_replication_role = replica").execute()
                .compose(done -> connection.query("RESET session_replication_role").execute()))
                .<Void>mapEmpty()
                .recover(failure -> {
                    refusals.add("the target's user may not set session_replication_role (" + failure.getMessage()
                            + "): the sync applies changes with it, as PostgreSQL's own logical replication does, so "
                            + "that the target's triggers and foreign keys do not act on rows the source's already "
                            + "made; connect to the target as a superuser (rds_superuser, cloudsqlsuperuser, "
                            + "azure_pg_admin) for the sync");
                    return Future.succeededFuture();
                });
        List<String> withoutIdentity = tables.synced().stream().filter(t -> t.holdsRows() && !t.keyed())
                .map(SyncedTable::display).toList();
        if (!withoutIdentity.isEmpty()) {
            String list = String.join(", ", withoutIdentity);
            if (settings.tablesWithoutKey() == TablesWithoutKey.REFUSE) {
                refusals.add("tables without a primary key or replica identity: " + list + "; their updates and "
                        + "deletes cannot be streamed. Add a primary key, or ALTER TABLE … REPLICA IDENTITY FULL, or "
                        + "set exodus.sync.tables-without-key=insert-only if they only get inserts");
            } else {
                notes.add("tables without a primary key or replica identity are copied insert-only: " + list
                        + "; their rows, and inserts and truncates during the sync, reach the target; updates and "
                        + "deletes of them during the sync do not");
            }
        }
        if (!tables.unlogged().isEmpty()) {
            String list = String.join(", ", tables.unlogged());
            if (settings.unloggedTables() == UnloggedTables.REFUSE) {
                refusals.add("unlogged tables: " + list + "; their changes never reach the WAL, so the sync cannot "
                        + "carry their rows. ALTER TABLE … SET LOGGED, or set exodus.sync.unlogged-tables=schema-only "
                        + "to give the target their schema without rows");
            } else {
                notes.add("unlogged tables get their schema but no rows (their changes never reach the WAL; "
                        + "exodus.sync.unlogged-tables=schema-only): " + list);
            }
        }
        Future<Void> objects = source.query(LARGE_OBJECTS).execute().map(rows -> {
            long count = rows.iterator().next().getLong(0);
            if (count == 0) {
                return null;
            }
            if (settings.largeObjects() == LargeObjects.REFUSE) {
                refusals.add("the source's database holds " + count + " large objects (pg_largeobject_metadata), "
                        + "which the sync does not copy and logical decoding cannot carry: the target would have "
                        + "none. Move their contents to bytea columns, or set exodus.sync.large-objects=skip if "
                        + "nothing on the target needs them");
            } else {
                notes.add("the source's " + count + " large objects are not copied (exodus.sync.large-objects=skip)");
            }
            return null;
        });
        Future<Void> otherDatabases = source.query(OTHER_DATABASES).execute().map(rows -> {
            List<String> names = new ArrayList<>();
            rows.forEach(row -> names.add(row.getString(0)));
            if (!names.isEmpty()) {
                notes.add("the source's server holds other databases (" + NamedList.of(names) + "): the sync "
                        + "copies this one only, and its switch moves this one only: sessions through Exodus on the "
                        + "others stay on the source alone in every phase (GET /exodus/migration, \"databases\")");
            }
            return null;
        });
        Future<Void> loginSettings = LoginSettings.differences(source, target).map(differences -> {
            if (!differences.isEmpty()) {
                refusals.add("the target's database and roles would give sessions other settings than the source's "
                        + "(ALTER DATABASE/ROLE … SET, which pg_dump does not copy), under which dual-write's "
                        + "statements would read and write other values there: " + NamedList.of(differences));
            }
            return null;
        });
        return Future.join(List.of(sourceFacts, extensions, replicaRole, objects, otherDatabases, loginSettings))
                .map(done -> new CapabilityReport(refusals, notes));
    }
}
