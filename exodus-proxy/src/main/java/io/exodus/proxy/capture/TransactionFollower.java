package io.exodus.proxy.capture;

import io.exodus.capture.TransactionBoundary;
import io.exodus.proxy.wire.TransactionStatus;

/**
 * Follows one session's transaction from the command tags its client is sent (BEGIN, COMMIT, ROLLBACK …), which tell
 * each statement's place in it; ReadyForQuery's status, after each request, has the last word. Numbers the session's
 * transaction blocks from 1.
 */
final class TransactionFollower {
    private boolean inBlock;
    private long serial;
    private long transaction = -1;

    /** The boundary of a statement that completed with this tag (null: it failed); see {@link #transaction()}. */
    TransactionBoundary completed(String tag) {
        if (tag != null && (tag.equals("BEGIN") || tag.equals("START TRANSACTION"))) {
            inBlock = true;
            transaction = ++serial;
            return TransactionBoundary.BEGIN;
        }
        if (!inBlock) {
            transaction = -1;
            return TransactionBoundary.AUTOCOMMIT;
        }
        transaction = serial;
        if (tag != null && (tag.equals("COMMIT") || tag.equals("PREPARE TRANSACTION"))) {
            inBlock = false;
            return TransactionBoundary.COMMIT;
        }
        if ("ROLLBACK".equals(tag)) {
            inBlock = false;
            return TransactionBoundary.ROLLBACK;
        }
        return TransactionBoundary.INSIDE;
    }

    /** The transaction number of the statement {@link #completed} last took, -1 outside a transaction block. */
    long transaction() {
        return transaction;
    }

    /**
     * Whether the transaction is still open although a tag said it ended: a {@code ROLLBACK TO SAVEPOINT} (tag
     * ROLLBACK), or a COMMIT that did not end it. Then the block goes on.
     */
    boolean endedWhileStillOpen(TransactionStatus status) {
        if (status.inBlock() && !inBlock) {
            inBlock = true;
            return true;
        }
        return false;
    }

    void readyForQuery(TransactionStatus status) {
        inBlock = status.inBlock();
    }
}
