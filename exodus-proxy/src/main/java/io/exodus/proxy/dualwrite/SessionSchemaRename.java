package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.sql.SessionSchemaNames;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;

/**
 * The secondary's text of a statement that names the primary session's temporary schema by its real name
 * ({@link SessionSchemaNames}): each leg is asked for its session's temporary schema, by a query that cannot fail. The
 * statement is rare (a client learns the name from {@code pg_my_temp_schema()} first), and the two round trips are its
 * price; a name that is not the session's own (another session's schema, which PostgreSQL refuses to touch anyway) is
 * left as written.
 */
final class SessionSchemaRename {
    static final String QUERY = "SELECT nspname FROM pg_catalog.pg_namespace WHERE oid = pg_catalog.pg_my_temp_schema()";

    private SessionSchemaRename() {
    }

    /** The text for the secondary, or null when it runs the client's own. */
    static Future<String> secondaryText(Leg primary, Leg secondary, String sql) {
        if (!SessionSchemaNames.namedIn(sql) || secondary == null || !secondary.isOpen()
                || primary.transactionStatus() == TransactionStatus.FAILED || secondary.transactionStatus() == TransactionStatus.FAILED) {
            return Future.succeededFuture(null);
        }
        return ownSchema(primary).compose(fromName -> fromName == null ? Future.succeededFuture(null)
                : ownSchema(secondary).map(toName -> toName == null || toName.equals(fromName) ? null
                        : SessionSchemaNames.renamed(sql, fromName, toName)));
    }

    /** The session's temporary schema on that leg; null before the session made a temporary object there. */
    private static Future<String> ownSchema(Leg leg) {
        TextRows rows = new TextRows();
        return leg.send(FrontendMessages.query(QUERY), 1, rows)
                .map(reply -> reply.failed() || rows.rows().size() != 1 ? null : rows.rows().get(0).get(0));
    }
}
