package io.exodus.proxy.dualwrite;

/**
 * How the client's COMMIT ends a dual-write transaction. {@link TransactionCommit} decides it once, and both what it
 * sends and who answers the client follow from that one decision.
 */
enum CommitRoute {
    /** The secondary missed part of the transaction: it commits on the primary with its queue entry; Exodus answers. */
    QUEUE(false),
    /** A statement failed on the secondary behind the primary, and the policy needs both: rolled back, the failure answers. */
    FAIL_AFTER_FAILURE_BEHIND(false),
    /** A statement failed on the secondary behind the primary, and the policy lets the primary go on: it answers. */
    PRIMARY_AFTER_FAILURE_BEHIND(true),
    /** The secondary was lost after it wrote, and the policy needs both: rolled back, Exodus says why. */
    FAIL_FOR_LOST_SECONDARY(false),
    /** A failed transaction, one the secondary left, or one that only read: the primary answers the COMMIT as sent. */
    PRIMARY_ANSWERS(true),
    /** Both commit under the policy's protocol; Exodus answers once both decided. */
    BOTH(false);

    private final boolean answeredByPrimary;

    CommitRoute(boolean answeredByPrimary) {
        this.answeredByPrimary = answeredByPrimary;
    }

    /** Whether the client's own COMMIT request goes to the primary, which answers it. */
    boolean answeredByPrimary() {
        return answeredByPrimary;
    }
}
