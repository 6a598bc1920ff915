package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.sql.Identifiers;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;

/**
 * Whether an UPDATE or DELETE {@code WHERE CURRENT OF} a cursor may run on the primary with its row image (ADR 0026)
 * without changing what the client sees. The added RETURNING would change it on a view or a table with a rule for
 * UPDATE or DELETE (PostgreSQL refuses RETURNING where the rule has none before it gets to say that CURRENT OF does not
 * work on a view), without the SELECT privilege, and under row-level security, unless the client's own RETURNING list
 * asks for the rows already. Such a statement runs inside the client's transaction, where a refused run cannot be taken
 * back and tried as the client sent it (an autocommit write can, see {@link LockstepWrite}), so the primary is asked
 * first, by a query that cannot fail: the statement is rare, and the round trip is its price.
 */
final class CursorImageCheck {
    private CursorImageCheck() {
    }

    /** Whether the image may be used; false when the primary's answer says no or cannot be had. */
    static Future<Boolean> allows(Leg primary, RowImageReturning image) {
        if (image.cursorTable() == null) {
            return Future.succeededFuture(true);
        }
        if (image.cursorTable().chars().filter(c -> c == '.').count() > 2 || primary.transactionStatus() == TransactionStatus.FAILED) {
            // A name of more parts makes to_regclass fail, and so the transaction; the statement fails on its own.
            return Future.succeededFuture(false);
        }
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(sql(image.cursorTable(), image.splitsAtMarker())), 1, rows)
                .map(reply -> !reply.failed() && rows.rows().size() == 1 && "t".equals(rows.rows().get(0).get(0)));
    }

    static String sql(String table, boolean clientReturns) {
        return "SELECT c.relkind IN ('r', 'p') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite w"
                + " WHERE w.ev_class = c.oid AND w.ev_type IN ('3', '4'))"
                + (clientReturns ? "" : " AND NOT c.relrowsecurity AND pg_catalog.has_table_privilege(c.oid, 'SELECT')")
                + " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(" + Identifiers.literal(table)
                + ")";
    }
}
