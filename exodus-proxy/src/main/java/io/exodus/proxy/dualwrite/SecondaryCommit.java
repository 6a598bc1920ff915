package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.Leg;
import io.exodus.proxy.backend.LegReply;
import io.exodus.proxy.catchup.CatchUpQueueSql;
import io.vertx.core.Future;

import java.util.Collection;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The COMMIT a secondary that commits before the primary is sent, with the commit marker it carries. The marker names
 * the primary's transaction where the primary can tell what became of it, so that a primary that does not commit after
 * the secondary is found later ({@code CommitOutcomes}). What the marker needs of the primary's transaction is read
 * inside it in one round trip: its id, and whether it is read-only (it then writes nothing durable, and the
 * secondary's part would refuse the marker's INSERT: a plain COMMIT).
 *
 * @param sql             the secondary's COMMIT, with the marker's INSERT when it carries one
 * @param marker          the marker's id, null without one
 * @param outcomeFollowed the marker names the primary's transaction
 * @param failedRead      the primary's answer when the read failed (its transaction failed with it), null otherwise
 */
record SecondaryCommit(String sql, Long marker, boolean outcomeFollowed, LegReply failedRead) {
    private static final SecondaryCommit PLAIN = new SecondaryCommit("COMMIT", null, false, null);

    /**
     * @param markerWithoutId whether a marker is worth writing when it cannot name the primary's transaction (the
     *                        replay queue uses it to tell whether a COMMIT whose answer was lost committed)
     * @param tables          what the transaction writes, for the marker; null inside when not known
     * @param early           the read made ahead of the commit, null without one: used when it asked what the marker
     *                        needs now
     */
    static Future<SecondaryCommit> choose(QueueHandoff queue, Leg primary, String database, boolean markerWithoutId,
            Supplier<Collection<String>> tables, PrimaryTransactionRead early) {
        return queue.commitMarkersMade().compose(made -> {
            boolean withId = made && queue.catchUp().primaryOutcomesReadable(database);
            if (!made || !withId && !markerWithoutId) {
                return Future.succeededFuture(PLAIN);
            }
            PrimaryTransactionRead read;
            if (early != null && early.withId() == withId) {
                read = early;
                primary.flush(); // the read may still wait for a next request: the COMMIT is the next
            } else {
                read = PrimaryTransactionRead.now(primary, withId);
            }
            return read.reply().map(reply -> {
                if (reply.failed()) {
                    return new SecondaryCommit(null, null, false, reply);
                }
                boolean answered = !read.rows().rows().isEmpty();
                if (answered && "t".equals(read.rows().rows().get(0).get(1))) {
                    return PLAIN;
                }
                String xid = answered ? read.rows().rows().get(0).get(0) : null;
                Long primaryXid = xid == null ? null : Long.valueOf(xid);
                long marker = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
                return new SecondaryCommit(CatchUpQueueSql.commitWithMarker(marker, primaryXid,
                        primaryXid == null ? null : tables.get()), marker, primaryXid != null, null);
            });
        });
    }
}
