package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * The settings a session's statements ran under, read from the primary itself: those the client gave at start-up and
 * those it changed with SET or set_config, by any protocol, however long ago. The catch-up applier runs a queued
 * transaction on a connection of its own; without the session's search_path there, an unqualified name means another
 * table, silently. Read when a transaction is queued (a rare path), inside that transaction.
 *
 * <p>Left out: what would stop the replay rather than reproduce the statements (timeouts, read-only defaults), what
 * names the connection (application_name), and the session authorization, which the entry's role column carries
 * (the applier takes it on). A role set with SET ROLE, which pg_settings does not list, is read on its own and comes
 * last: settings only a superuser may change are set before the role gives that up.
 */
final class SessionSettings {
    static final String QUERY = "SELECT name, value FROM (SELECT name, pg_catalog.current_setting(name) AS value "
            + "FROM pg_catalog.pg_settings WHERE source IN ('client', 'session') AND name NOT IN ('application_name', "
            + "'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', "
            + "'idle_session_timeout', 'default_transaction_read_only', 'transaction_read_only', "
            + "'transaction_isolation', 'transaction_deferrable', 'default_transaction_deferrable') "
            + "UNION ALL " + SessionAdoption.ROLE_SET + ") s ORDER BY name = 'role', name";
    /** The isolation level of the transaction being queued, read with the settings. */
    static final String ISOLATION = "SELECT pg_catalog.current_setting('transaction_isolation')";

    private SessionSettings() {
    }

    /**
     * The statements that give a queued transaction's replay the primary session's settings now: its isolation level
     * first, then the settings the session changed.
     * <p>
     * The isolation level comes first because the settings are set with a SELECT, which takes the transaction's
     * snapshot, and PostgreSQL refuses to change the level after that: the transaction's own {@code BEGIN ISOLATION
     * LEVEL SERIALIZABLE} (or {@code SET TRANSACTION ISOLATION LEVEL}) in the replayed stream then failed and the entry
     * was parked. Set to the same level up front, the stream's statement changes nothing and passes.
     */
    static Future<String> statementFrom(Leg primary) {
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(ISOLATION + ";\n" + QUERY), 1, rows).compose(reply -> {
            if (reply.failed() || rows.rows().isEmpty()) {
                return Future.failedFuture("the primary did not list the session's settings: "
                        + (reply.error() == null ? "connection lost" : reply.error().message()));
            }
            String isolation = "SET TRANSACTION ISOLATION LEVEL "
                    + rows.rows().get(0).get(0).toUpperCase(java.util.Locale.ROOT);
            List<String[]> settings = new ArrayList<>();
            for (List<String> row : rows.rows().subList(1, rows.rows().size())) {
                settings.add(new String[] {row.get(0), row.get(1)});
            }
            String statement = SessionAdoption.settingsStatement(settings);
            return Future.succeededFuture(statement == null ? isolation : isolation + ";\n" + statement);
        });
    }
}
