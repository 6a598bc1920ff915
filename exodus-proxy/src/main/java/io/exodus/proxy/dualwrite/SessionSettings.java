package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The settings a session's statements ran under, read from the primary itself: those the client gave at start-up,
 * those it changed with SET or set_config, by any protocol, however long ago, and those its role and database give it
 * at login ({@code ALTER ROLE … [IN DATABASE …] SET}, {@code ALTER DATABASE … SET}), which the applier does not get:
 * it logs in as itself and takes the session's role with SET SESSION AUTHORIZATION, which applies no role's settings.
 * Of the role's, those only a superuser may set are carried for a superuser's sessions alone: the entry's role sets
 * them on the applier's connection. The catch-up applier runs a queued transaction on a connection of its own;
 * without the session's search_path there, an unqualified name means another table, silently. Read when a
 * transaction is queued, inside that transaction, unless {@link KnownSettings} still holds them.
 *
 * <p>Left out: what would stop the replay rather than reproduce the statements (timeouts, read-only defaults), what
 * names the connection (application_name), and the session authorization, which the entry's role column carries
 * (the applier takes it on). A role set with SET ROLE, which pg_settings does not list, is read on its own and comes
 * last: settings only a superuser may change are set before the role gives that up.
 */
final class SessionSettings {
    private static final String LISTED = "SELECT name, pg_catalog.current_setting(name) AS value "
            + "FROM listed WHERE (source IN ('client', 'session') OR source IN ('database', 'user', "
            + "'database user') AND (context = 'user' OR context = 'superuser' AND (SELECT rolsuper FROM "
            + "pg_catalog.pg_roles WHERE rolname = session_user))) AND name NOT IN ('application_name', "
            + "'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', "
            + "'idle_session_timeout', 'default_transaction_read_only', 'transaction_read_only', "
            + "'transaction_isolation', 'transaction_deferrable', 'default_transaction_deferrable')";
    /** The settings whose value PostgreSQL shows as a list of quoted identifiers (GUC_LIST_QUOTE). */
    private static final Set<String> LIST_OF_NAMES = Set.of("search_path", "temp_tablespaces",
            "session_preload_libraries", "local_preload_libraries", "shared_preload_libraries");
    /** The isolation level of the transaction being queued, read as it commits. */
    static final String ISOLATION = "SELECT pg_catalog.current_setting('transaction_isolation')";

    private SessionSettings() {
    }

    /**
     * What gives a queued transaction's replay the primary session's settings: its isolation level, then the settings
     * the session changed.
     * <p>
     * Nothing here may take the transaction's snapshot, after which PostgreSQL refuses the stream's own {@code BEGIN
     * ISOLATION LEVEL SERIALIZABLE}, {@code SET TRANSACTION ISOLATION LEVEL} or {@code DEFERRABLE} (set with a SELECT
     * of set_config, the settings did, and such entries were parked): SET statements only. The level is set too, for
     * a transaction whose level came from elsewhere than its own statements.
     *
     * @param isolation the {@code SET TRANSACTION ISOLATION LEVEL} of the transaction ({@link #isolationFrom})
     * @param settings  the session's changed settings as SET statements, empty when it changed none
     *                  ({@link #settingsFrom})
     */
    static String statement(String isolation, String settings) {
        return settings.isEmpty() ? isolation : isolation + ";\n" + settings;
    }

    /**
     * The query of every setting the session changed: those pg_settings lists, its custom settings ({@link
     * CustomSettings}, with the names the session was seen to use), and the role it SET, last.
     */
    static String query(Set<String> customNames) {
        return "WITH listed AS MATERIALIZED (SELECT name, source, context FROM pg_catalog.pg_settings) "
                + "SELECT name, value FROM (" + LISTED + " UNION ALL " + CustomSettings.rows(customNames, "listed")
                + " UNION ALL " + SessionAdoption.ROLE_SET + ") s ORDER BY name = 'role', name";
    }

    /** Reads every setting the session changed, as SET statements (a scan of pg_settings: about 1 ms). */
    static Future<String> settingsFrom(Leg primary, Set<String> customNames) {
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(query(customNames)), 1, rows).compose(reply -> {
            if (reply.failed()) {
                return Future.failedFuture(notListed(reply));
            }
            List<String[]> settings = new ArrayList<>();
            for (List<String> row : rows.rows()) {
                settings.add(new String[] {row.get(0), row.get(1)});
            }
            return Future.succeededFuture(setStatements(settings));
        });
    }

    /** Reads the transaction's isolation level, as the {@code SET TRANSACTION} that gives it. */
    static Future<String> isolationFrom(Leg primary) {
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(ISOLATION), 1, rows).compose(reply -> reply.failed()
                || rows.rows().isEmpty() ? Future.failedFuture(notListed(reply))
                        : Future.succeededFuture(isolation(rows.rows().get(0).get(0))));
    }

    private static String isolation(String level) {
        return "SET TRANSACTION ISOLATION LEVEL " + level.toUpperCase(Locale.ROOT);
    }

    private static String notListed(LegReply reply) {
        return "the primary did not list the session's settings: "
                + (reply.error() == null ? "connection lost" : reply.error().message());
    }

    /**
     * The settings as SET statements, which take no snapshot (a SELECT of set_config does): the replayed
     * transaction's own {@code SET TRANSACTION [NOT] DEFERRABLE}, or {@code BEGIN … DEFERRABLE}, which PostgreSQL
     * refuses once a snapshot is taken whatever its value, then still runs. A list that PostgreSQL quotes element by
     * element ({@code search_path}: {@code "$user", public}) is written as it reads, a list of identifiers; any
     * other value as one string.
     */
    static String setStatements(List<String[]> settings) {
        StringBuilder sql = new StringBuilder();
        for (String[] setting : settings) {
            if (!sql.isEmpty()) {
                sql.append(";\n");
            }
            sql.append("SET ");
            String[] parts = setting[0].split("\\.", -1);
            for (int i = 0; i < parts.length; i++) {
                sql.append(i == 0 ? "" : ".").append(Identifiers.quote(parts[i]));
            }
            String value = setting[1];
            boolean identifierList = LIST_OF_NAMES.contains(setting[0].toLowerCase(Locale.ROOT)) && !value.isBlank();
            sql.append(" TO ").append(identifierList ? value : SessionAdoption.literal(value));
        }
        return sql.toString();
    }
}
