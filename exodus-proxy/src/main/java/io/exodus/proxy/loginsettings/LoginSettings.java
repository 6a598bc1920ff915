package io.exodus.proxy.loginsettings;

import io.exodus.proxy.sql.Identifiers;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a session gets at login from its database and its role ({@code ALTER DATABASE … SET}, {@code ALTER ROLE …
 * [IN DATABASE …] SET}), on each server. pg_dump copies none of it, and in dual-write a session's statements run on
 * the target under the target's: a {@code search_path} the target's database lacks puts an unqualified name's rows in
 * another table there, a {@code TimeZone} reads a timestamp literal as another instant. Both silent. Compared for the
 * databases the migration moves and the roles both servers have (a role only the source has fails louder, at login):
 * before the initial sync writes anything, and before a phase change starts mirroring writes. The settings live in a
 * catalog every database of a server shares, so one query per server reads them all.
 */
public final class LoginSettings {
    /** Settings that change what a statement reads or writes, not only how it is logged or planned. */
    static final Set<String> CHANGE_VALUES = Set.of("search_path", "timezone", "datestyle", "intervalstyle",
            "standard_conforming_strings", "backslash_quote", "array_nulls", "transform_null_equals",
            "default_text_search_config", "lc_monetary", "lc_numeric", "lc_time", "session_replication_role",
            "extra_float_digits", "bytea_output", "xmlbinary", "xmloption", "client_encoding",
            "timezone_abbreviations", "row_security", "default_transaction_isolation", "default_transaction_read_only",
            "default_tablespace", "default_table_access_method", "temp_tablespaces");
    /**
     * Whether a setting changes what a statement reads or writes: one of {@link #CHANGE_VALUES}, or a setting of the
     * application's own ({@code app.tenant}, which row-level security and defaults read with current_setting) or of an
     * extension, which a name with a dot cannot tell apart.
     */
    public static boolean changesValues(String name) {
        return CHANGE_VALUES.contains(name) || name.indexOf('.') > 0;
    }

    /** The settings PostgreSQL stores as a list of identifiers, written back as they read. */
    private static final Set<String> LISTS = Set.of("search_path", "temp_tablespaces");
    /** Every setting of a database, of a role in a database, of a role everywhere, of every role: names empty for all. */
    static final String QUERY = """
            SELECT coalesce(d.datname, ''), coalesce(r.rolname, ''), c
            FROM pg_catalog.pg_db_role_setting s
            LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
            LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) AS c
            WHERE (s.setdatabase = 0 OR d.datname IS NOT NULL) AND (s.setrole = 0 OR r.rolname IS NOT NULL)""";
    static final String ROLES = "SELECT rolname FROM pg_catalog.pg_roles";
    static final String DATABASES = "SELECT datname, datname = pg_catalog.current_database() "
            + "FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate";

    /** Where a setting applies: {@code database} empty for every database, {@code role} empty for every role. */
    private record Scope(String database, String role) implements Comparable<Scope> {
        @Override
        public int compareTo(Scope other) {
            int byDatabase = database.compareTo(other.database);
            return byDatabase != 0 ? byDatabase : role.compareTo(other.role);
        }
    }

    /** One server's login settings, by scope and lower-cased name; its roles, databases, and the one connected to. */
    private record Read(Map<Scope, Map<String, String>> settings, Set<String> roles, Set<String> databases,
            String current) {
    }

    private LoginSettings() {
    }

    /**
     * For the initial sync, which copies the source pool's database into the target pool's (their names may differ):
     * the differences that change values, each with the statement that gives the target the source's setting; empty
     * when the target's sessions would run under the source's login settings.
     */
    public static Future<List<String>> differences(Pool source, Pool target) {
        Future<Read> onSource = read(source);
        Future<Read> onTarget = read(target);
        return Future.all(onSource, onTarget).map(both -> differences(onSource.result(), onTarget.result(),
                Map.of(onSource.result().current(), onTarget.result().current())));
    }

    /**
     * For a phase change that starts mirroring: the same, in every database of the source the migration moves that
     * the target has under the same name, as sessions find them; {@code source} and {@code target} are any database
     * of each server.
     */
    public static Future<List<String>> differences(Pool source, Pool target,
            Predicate<String> moved) {
        Future<Read> onSource = read(source);
        Future<Read> onTarget = read(target);
        return Future.all(onSource, onTarget).map(both -> {
            Map<String, String> pairs = new TreeMap<>();
            for (String database : onSource.result().databases()) {
                if (moved.test(database) && onTarget.result().databases().contains(database)) {
                    pairs.put(database, database);
                }
            }
            return differences(onSource.result(), onTarget.result(), pairs);
        });
    }

    /** @param pairs each source database compared, to its target database */
    private static List<String> differences(Read source, Read target, Map<String, String> pairs) {
        List<String> differences = new ArrayList<>();
        for (Scope scope : new TreeSet<>(source.settings().keySet())) {
            compare(scope, source, target, pairs, differences);
        }
        for (Scope scope : new TreeSet<>(target.settings().keySet())) {
            // A scope the target alone has: named by the source database it stands for.
            Scope asOnSource = new Scope(scope.database().isEmpty() ? "" : sourceOf(scope.database(), pairs),
                    scope.role());
            if (asOnSource.database() != null && !source.settings().containsKey(asOnSource)) {
                compare(asOnSource, source, target, pairs, differences);
            }
        }
        return differences;
    }

    private static void compare(Scope scope, Read source, Read target, Map<String, String> pairs,
            List<String> differences) {
        if (!scope.role().isEmpty() && !(source.roles().contains(scope.role())
                && target.roles().contains(scope.role()))) {
            return;
        }
        String targetDatabase = scope.database().isEmpty() ? "" : pairs.get(scope.database());
        if (targetDatabase == null) {
            return;
        }
        Map<String, String> on = source.settings().getOrDefault(scope, Map.of());
        Map<String, String> there = target.settings().getOrDefault(new Scope(targetDatabase, scope.role()), Map.of());
        Set<String> names = new TreeSet<>(on.keySet());
        names.addAll(there.keySet());
        for (String name : names) {
            if (!changesValues(name) || Objects.equals(on.get(name), there.get(name))) {
                continue;
            }
            String alter = alter(scope.role(), targetDatabase);
            String fix = on.containsKey(name) ? alter + " SET " + name + " = " + value(name, on.get(name))
                    : alter + " RESET " + name;
            differences.add(describe(scope) + ": " + name + " is " + shown(on.get(name)) + " on the source, "
                    + shown(there.get(name)) + " on the target (" + fix + ")");
        }
    }

    private static String sourceOf(String targetDatabase, Map<String, String> pairs) {
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            if (pair.getValue().equals(targetDatabase)) {
                return pair.getKey();
            }
        }
        return null;
    }

    private static Future<Read> read(Pool pool) {
        Future<RowSet<Row>> settings = pool.query(QUERY).execute();
        Future<RowSet<Row>> roles = pool.query(ROLES).execute();
        Future<RowSet<Row>> databases = pool.query(DATABASES).execute();
        return Future.all(settings, roles, databases).map(all -> {
            Map<Scope, Map<String, String>> byScope = new TreeMap<>();
            for (Row row : settings.result()) {
                String setting = row.getString(2);
                int equals = setting.indexOf('=');
                if (equals > 0) {
                    byScope.computeIfAbsent(new Scope(row.getString(0), row.getString(1)), scope -> new TreeMap<>())
                            .put(setting.substring(0, equals).toLowerCase(Locale.ROOT), setting.substring(equals + 1));
                }
            }
            Set<String> roleNames = new HashSet<>();
            roles.result().forEach(row -> roleNames.add(row.getString(0)));
            Set<String> databaseNames = new HashSet<>();
            String current = null;
            for (Row row : databases.result()) {
                databaseNames.add(row.getString(0));
                if (Boolean.TRUE.equals(row.getBoolean(1))) {
                    current = row.getString(0);
                }
            }
            return new Read(byScope, roleNames, databaseNames, current);
        });
    }

    private static String describe(Scope scope) {
        String role = scope.role().isEmpty() ? null : "role " + scope.role();
        if (scope.database().isEmpty()) {
            return role == null ? "every role (ALTER ROLE ALL)" : role;
        }
        return role == null ? "database " + scope.database() : role + " in database " + scope.database();
    }

    private static String alter(String role, String targetDatabase) {
        if (role.isEmpty()) {
            return targetDatabase.isEmpty() ? "ALTER ROLE ALL" : "ALTER DATABASE " + Identifiers.quote(targetDatabase);
        }
        return "ALTER ROLE " + Identifiers.quote(role)
                + (targetDatabase.isEmpty() ? "" : " IN DATABASE " + Identifiers.quote(targetDatabase));
    }

    private static String value(String name, String value) {
        return LISTS.contains(name) ? value : Identifiers.literal(value);
    }

    private static String shown(String value) {
        return value == null ? "unset" : "'" + value + "'";
    }
}
