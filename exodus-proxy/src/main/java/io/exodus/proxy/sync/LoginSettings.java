package io.exodus.proxy.sync;

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

/**
 * What a session gets at login from its database and its role ({@code ALTER DATABASE … SET}, {@code ALTER ROLE …
 * [IN DATABASE …] SET}), on each server. pg_dump copies none of it, and in dual-write a session's statements run on
 * the target under the target's: a {@code search_path} the target's database lacks puts an unqualified name's rows in
 * another table there, a {@code TimeZone} reads a timestamp literal as another instant. Both silent. Compared for the
 * synced database and the roles both servers have (a role only the source has fails louder, at login).
 */
final class LoginSettings {
    /** Settings that change what a statement reads or writes, not only how it is logged or planned. */
    static final Set<String> CHANGE_VALUES = Set.of("search_path", "timezone", "datestyle", "intervalstyle",
            "standard_conforming_strings", "backslash_quote", "array_nulls", "transform_null_equals",
            "default_text_search_config", "lc_monetary", "lc_numeric", "lc_time", "session_replication_role",
            "extra_float_digits", "bytea_output", "xmlbinary", "xmloption", "client_encoding",
            "timezone_abbreviations", "row_security", "default_transaction_isolation", "default_transaction_read_only",
            "default_tablespace", "default_table_access_method", "temp_tablespaces");
    /** The settings PostgreSQL stores as a list of identifiers, written back as they read. */
    private static final Set<String> LISTS = Set.of("search_path", "temp_tablespaces");
    /** Each setting of the database itself, of a role in it, or of a role everywhere: role "" is the database's. */
    static final String QUERY = """
            SELECT pg_catalog.current_database(), coalesce(r.rolname, ''), s.setdatabase <> 0, c
            FROM pg_catalog.pg_db_role_setting s
            LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) AS c
            WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database
                                        WHERE datname = pg_catalog.current_database()))
              AND (s.setrole = 0 AND s.setdatabase <> 0 OR r.rolname IS NOT NULL)""";
    static final String ROLES = "SELECT rolname FROM pg_catalog.pg_roles";

    /** Where a setting applies: the database ({@code role} empty), a role in it, or a role everywhere. */
    private record Scope(String role, boolean inDatabase) implements Comparable<Scope> {
        @Override
        public int compareTo(Scope other) {
            int byRole = role.compareTo(other.role);
            return byRole != 0 ? byRole : Boolean.compare(inDatabase, other.inDatabase);
        }
    }

    /** One server's login settings, by scope and lower-cased name, and its roles. */
    private record Read(String database, Map<Scope, Map<String, String>> settings, Set<String> roles) {
    }

    private LoginSettings() {
    }

    /**
     * The differences that change values, each with the statement that gives the target the source's setting; empty
     * when the target's sessions would run under the source's login settings.
     */
    static Future<List<String>> differences(Pool source, Pool target) {
        Future<Read> onSource = read(source);
        Future<Read> onTarget = read(target);
        return Future.all(onSource, onTarget).map(both -> differences(onSource.result(), onTarget.result()));
    }

    private static List<String> differences(Read source, Read target) {
        Set<Scope> scopes = new TreeSet<>(source.settings().keySet());
        scopes.addAll(target.settings().keySet());
        List<String> differences = new ArrayList<>();
        for (Scope scope : scopes) {
            if (!scope.role().isEmpty() && !(source.roles().contains(scope.role())
                    && target.roles().contains(scope.role()))) {
                continue;
            }
            Map<String, String> on = source.settings().getOrDefault(scope, Map.of());
            Map<String, String> there = target.settings().getOrDefault(scope, Map.of());
            Set<String> names = new TreeSet<>(on.keySet());
            names.addAll(there.keySet());
            for (String name : names) {
                if (!CHANGE_VALUES.contains(name) || Objects.equals(on.get(name), there.get(name))) {
                    continue;
                }
                String alter = alter(scope, target.database());
                String fix = on.containsKey(name) ? alter + " SET " + name + " = " + value(name, on.get(name))
                        : alter + " RESET " + name;
                differences.add(describe(scope) + ": " + name + " is " + shown(on.get(name)) + " on the source, "
                        + shown(there.get(name)) + " on the target (" + fix + ")");
            }
        }
        return differences;
    }

    private static Future<Read> read(Pool pool) {
        Future<RowSet<Row>> settings = pool.query(QUERY).execute();
        Future<RowSet<Row>> roles = pool.query(ROLES).execute();
        return Future.all(settings, roles).map(both -> {
            String database = null;
            Map<Scope, Map<String, String>> byScope = new TreeMap<>();
            for (Row row : settings.result()) {
                database = row.getString(0);
                String setting = row.getString(3);
                int equals = setting.indexOf('=');
                if (equals <= 0) {
                    continue;
                }
                byScope.computeIfAbsent(new Scope(row.getString(1), row.getBoolean(2)), scope -> new TreeMap<>())
                        .put(setting.substring(0, equals).toLowerCase(Locale.ROOT), setting.substring(equals + 1));
            }
            Set<String> names = new HashSet<>();
            roles.result().forEach(row -> names.add(row.getString(0)));
            return new Read(database, byScope, names);
        }).compose(read -> read.database() != null ? Future.succeededFuture(read)
                : pool.query("SELECT pg_catalog.current_database()").execute().map(rows -> new Read(
                        rows.iterator().next().getString(0), read.settings(), read.roles())));
    }

    private static String describe(Scope scope) {
        if (scope.role().isEmpty()) {
            return "the database";
        }
        return "role " + scope.role() + (scope.inDatabase() ? " in the database" : "");
    }

    private static String alter(Scope scope, String targetDatabase) {
        if (scope.role().isEmpty()) {
            return "ALTER DATABASE " + Identifiers.quote(targetDatabase);
        }
        return "ALTER ROLE " + Identifiers.quote(scope.role())
                + (scope.inDatabase() ? " IN DATABASE " + Identifiers.quote(targetDatabase) : "");
    }

    private static String value(String name, String value) {
        return LISTS.contains(name) ? value : Identifiers.literal(value);
    }

    private static String shown(String value) {
        return value == null ? "unset" : "'" + value + "'";
    }
}
