package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.exodus.proxy.wire.FrontendMessages;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * What a commit marker needs of the primary's transaction, read inside it: its id (when the marker names it) and
 * whether it is read-only. Read at the commit, or ahead of it ({@link #later}): right after the transaction's first
 * write that the secondary applies behind the primary, written together with the client's next request, so that the
 * read is no longer one of the round trips through which the transaction's rows stay locked (issue 15;
 * {@link MarkerReadAhead} says when it still holds).
 *
 * @param withId whether the read asks for the transaction's id
 * @param rows   the answer's rows, once {@code reply} has completed
 * @param reply  the primary's answer to the read
 */
record PrimaryTransactionRead(boolean withId, TextRows rows, Future<LegReply> reply) {

    /** The read, sent now. */
    static PrimaryTransactionRead now(Leg primary, boolean withId) {
        TextRows rows = new TextRows();
        return new PrimaryTransactionRead(withId, rows, primary.send(query(withId), 1, rows));
    }

    /** The read, written with the primary's next request ({@link Leg#sendLater}). */
    static PrimaryTransactionRead later(Leg primary, boolean withId) {
        TextRows rows = new TextRows();
        return new PrimaryTransactionRead(withId, rows, primary.sendLater(query(withId), 1, rows));
    }

    private static Buffer query(boolean withId) {
        return FrontendMessages.query(withId ? CatchUpQueueSql.PRIMARY_XID : CatchUpQueueSql.PRIMARY_READ_ONLY);
    }
}
