package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.SettingAssignments;
import io.exodus.proxy.sql.StatementKind;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A session's settings of the application's own ({@code SET app.tenant = 'acme'}, {@code set_config('app.tenant',
 * …)}): PostgreSQL makes such a placeholder on first use and lists it nowhere, not in pg_settings nor in SHOW ALL, so
 * what reads a session's settings there (the catch-up entry's context, a new target connection's state) left them out.
 * Row-level security policies, audit triggers and column defaults read them with current_setting: run without them on
 * the other database, a statement wrote other values, silently.
 *
 * <p>Their names are gathered where they can be seen, and their values are read from the primary with
 * {@code current_setting(name, true)}: the names the session's statements set or read by name, those of its start-up
 * packet, and on the server (in {@link #rows}) those of its role's and database's login settings and those the
 * database's functions, column defaults and policies pass to current_setting or set_config as a literal. A name made
 * up at run time (a function building it) is not seen. One session's, on its event loop.
 */
final class CustomSettings {
    /** A custom setting's name given by literal to set_config or current_setting: the regular expression's group 1. */
    private static final String NAME_ARGUMENT = "(?:set_config|current_setting)\\s*\\(\\s*'([A-Za-z_][A-Za-z0-9_$]*"
            + "(?:\\.[A-Za-z_][A-Za-z0-9_$]*)+)'";
    private static final Pattern NAME_ARGUMENT_PATTERN = Pattern.compile(NAME_ARGUMENT, Pattern.CASE_INSENSITIVE);
    private static final Pattern OPTION = Pattern.compile("(?:-c\\s*|--)([A-Za-z_][A-Za-z0-9_$]*"
            + "(?:\\.[A-Za-z_][A-Za-z0-9_$]*)+)=");
    /** current_setting(text), current_setting(text, boolean) and set_config, as stored expressions name them. */
    private static final String CALLS_SETTINGS = "~ ':funcid (2077|3294|2078) '";

    private final Set<String> names;
    /** Where names seen from now on go to be carried to the secondary; null while the secondary has them all. */
    private CarriedSettings carried;

    /**
     * @param names             the names the session's relays have seen so far, kept by the session, and added to
     * @param startupParameters the session's start-up packet, whose custom settings (as parameters or in
     *                          {@code options}) are added to them
     */
    CustomSettings(Set<String> names, Map<String, String> startupParameters) {
        this.names = names;
        startupParameters.forEach((name, value) -> {
            if (name.equals("options")) {
                Matcher option = OPTION.matcher(value);
                while (option.find()) {
                    names.add(option.group(1).toLowerCase(Locale.ROOT));
                }
            } else if (name.indexOf('.') > 0) {
                names.add(name.toLowerCase(Locale.ROOT));
            }
        });
    }

    /**
     * The session ran direct until now: settings it set then that Exodus did not see may be missing on the secondary,
     * so each name seen from now on is carried there ({@link CarriedSettings}).
     */
    void carryNamesSeenTo(CarriedSettings carried) {
        this.carried = carried;
    }

    /**
     * Notes the custom settings a statement the session runs sets or reads by name.
     *
     * @return whether it named one not seen before
     */
    boolean seen(String sql, Classification classification) {
        boolean added = false;
        if (callsSettingFunctions(classification)) {
            Matcher call = NAME_ARGUMENT_PATTERN.matcher(sql);
            while (call.find()) {
                added |= add(call.group(1).toLowerCase(Locale.ROOT));
            }
        }
        if (classification.kind() == StatementKind.SESSION || classification.statements().size() > 1) {
            for (String name : SettingAssignments.changed(sql)) {
                if (name.indexOf('.') > 0) {
                    added |= add(name);
                }
            }
        }
        return added;
    }

    private boolean add(String name) {
        if (!names.add(name)) {
            return false;
        }
        if (carried != null) {
            carried.named(name);
        }
        return true;
    }

    /** The names seen so far, lower case. */
    Set<String> names() {
        return names;
    }

    private static boolean callsSettingFunctions(Classification classification) {
        for (Classification statement : classification.statements()) {
            for (String call : statement.functionCalls()) {
                if (call.endsWith("set_config") || call.endsWith("current_setting")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A query of two columns, name and value, for each custom setting the session has: those of {@code seen} and
     * those the server's catalog names (see the class comment). A name pg_settings lists (an extension's own setting)
     * is left to the query of pg_settings.
     *
     * @param listed a relation of pg_settings' names (column {@code name}): the view itself, or a query's
     *               materialised copy of it, which saves a second scan (about 1 ms)
     */
    static String rows(Set<String> seen, String listed) {
        String inCode = "(pg_catalog.regexp_matches(%s, $exodus_re$" + NAME_ARGUMENT + "$exodus_re$, 'gi'))[1]";
        StringBuilder sql = new StringBuilder("SELECT n, pg_catalog.current_setting(n, true) FROM (SELECT DISTINCT "
                + "pg_catalog.lower(n) AS n FROM (SELECT pg_catalog.split_part(c, '=', 1) AS n FROM "
                + "pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) c WHERE s.setdatabase IN (0, "
                + "(SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())) AND "
                + "s.setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = session_user)) ");
        // Not the server's internal and C functions (languages 12 and 13), whose prosrc is a symbol; strpos before
        // the regular expression, which costs about 1 ms over the catalog's functions of SQL.
        sql.append("UNION ALL SELECT ").append(inCode.formatted("p.prosrc")).append(" FROM pg_catalog.pg_proc p "
                + "WHERE p.prolang NOT IN (12, 13) AND (pg_catalog.strpos(p.prosrc, 'set_config') > 0 "
                + "OR pg_catalog.strpos(p.prosrc, 'current_setting') > 0 "
                + "OR pg_catalog.strpos(p.prosrc, 'SET_CONFIG') > 0 "
                + "OR pg_catalog.strpos(p.prosrc, 'CURRENT_SETTING') > 0) ");
        sql.append("UNION ALL SELECT ").append(inCode.formatted("pg_catalog.pg_get_expr(d.adbin, d.adrelid)"))
                .append(" FROM pg_catalog.pg_attrdef d WHERE d.adbin::text ").append(CALLS_SETTINGS).append(' ');
        sql.append("UNION ALL SELECT ").append(inCode.formatted("pg_catalog.concat_ws(' ', "
                + "pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))"))
                .append(" FROM pg_catalog.pg_policy p WHERE pg_catalog.concat_ws(' ', p.polqual::text, "
                        + "p.polwithcheck::text) ").append(CALLS_SETTINGS).append(' ');
        if (!seen.isEmpty()) {
            sql.append("UNION ALL SELECT pg_catalog.unnest(").append(SessionAdoption.textArray(seen)).append(") ");
        }
        sql.append(") named WHERE n LIKE '%.%') c WHERE pg_catalog.current_setting(n, true) IS NOT NULL "
                + "AND n NOT IN (SELECT pg_catalog.lower(name) FROM " + listed + ")");
        return sql.toString();
    }
}
