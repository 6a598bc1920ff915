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

    private SessionSettings() {
    }

    /** The statement that gives a connection the primary session's settings now; "" when none was changed. */
    static Future<String> statementFrom(Leg primary) {
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(QUERY), 1, rows).compose(reply -> {
            if (reply.failed()) {
                return Future.failedFuture("the primary did not list the session's settings: "
                        + (reply.error() == null ? "connection lost" : reply.error().message()));
            }
            List<String[]> settings = new ArrayList<>();
            for (List<String> row : rows.rows()) {
                settings.add(new String[] {row.get(0), row.get(1)});
            }
            String statement = SessionAdoption.settingsStatement(settings);
            return Future.succeededFuture(statement == null ? "" : statement);
        });
    }
}
