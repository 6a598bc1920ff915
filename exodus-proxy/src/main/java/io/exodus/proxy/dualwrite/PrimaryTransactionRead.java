package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;

/**
 * What a commit marker needs to know of the primary's transaction before the secondary commits first, read inside it
 * in one round trip: its id, which the marker names so that a primary that does not commit after the secondary is
 * found later, and whether it is read-only (it then writes nothing durable, and the secondary's part would refuse the
 * marker's INSERT).
 *
 * @param reply    the primary's answer; when it failed, the primary's transaction failed with it
 * @param xid      the primary's transaction id, null when it has none or when it was not asked
 * @param readOnly the transaction is read-only
 */
record PrimaryTransactionRead(LegReply reply, Long xid, boolean readOnly) {

    /** @param withId whether to ask for the id (the primary can tell a transaction's outcome by it) */
    static Future<PrimaryTransactionRead> of(Leg primary, boolean withId) {
        TextRows rows = new TextRows();
        return primary.send(FrontendMessages.query(withId ? CatchUpQueueSql.PRIMARY_XID
                : CatchUpQueueSql.PRIMARY_READ_ONLY), 1, rows).map(reply -> {
                    if (reply.failed() || rows.rows().isEmpty()) {
                        return new PrimaryTransactionRead(reply, null, false);
                    }
                    String xid = rows.rows().get(0).get(0);
                    return new PrimaryTransactionRead(reply, xid == null ? null : Long.valueOf(xid),
                            "t".equals(rows.rows().get(0).get(1)));
                });
    }

    boolean failed() {
        return reply.failed();
    }
}
