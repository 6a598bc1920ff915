package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.ErrorResponse;

/**
 * The secondary's part in the primary's current transaction, as one value: which of these it is decides how the
 * transaction's writes and its COMMIT go. The transitions are pure; {@link SecondaryTransaction} holds the current
 * value and does what a transition asks of the secondary's connection (a ROLLBACK there).
 */
sealed interface SecondaryPart {
    Apart APART = new Apart();

    /** Takes no part: no transaction, one that only reads, or one it left before it wrote anything. */
    record Apart() implements SecondaryPart {
    }

    /** Takes part: its BEGIN went through. {@code wrote}: the transaction sent it something that writes. */
    record Joined(boolean wrote) implements SecondaryPart {
    }

    /**
     * It wrote, then left the transaction (its connection lost or set aside): what it applied cannot commit there,
     * and a policy that needs both databases fails the COMMIT.
     */
    record LeftAfterWriting() implements SecondaryPart {
    }

    /**
     * A statement it applied behind the primary (the client did not wait for it) failed: {@code error} is what the
     * transaction's COMMIT and later writes get under a policy that needs both databases. {@code rollbackPending}:
     * its transaction is still to be rolled back when the primary's ends.
     */
    record FailedBehind(ErrorResponse error, boolean rollbackPending) implements SecondaryPart {
    }

    /**
     * The transaction goes to the replay queue with its COMMIT: the secondary takes no further part, the queue brings
     * the whole transaction to it. {@code earlierFailure}: the failure behind that came before the queueing, or null.
     */
    record Queued(ErrorResponse earlierFailure) implements SecondaryPart {
    }

    /** Whether the secondary takes part in the transaction now. */
    default boolean takesPart() {
        return this instanceof Joined;
    }

    /** Whether the transaction sent the secondary something that writes (and it still has it or lost it). */
    default boolean wrote() {
        return this instanceof Joined joined ? joined.wrote()
                : this instanceof LeftAfterWriting || this instanceof FailedBehind;
    }

    /** The error a failure of the secondary behind the primary left for this transaction, or null. */
    default ErrorResponse failure() {
        return this instanceof FailedBehind failed ? failed.error()
                : this instanceof Queued queued ? queued.earlierFailure() : null;
    }

    /** Whether the secondary holds a transaction of this one that must be rolled back if the primary's just ends. */
    default boolean holdsTransaction() {
        return this instanceof Joined || this instanceof FailedBehind failed && failed.rollbackPending();
    }

    /** Whether a write of a READ ONLY transaction may still bring the secondary in: it takes no part and owes nothing. */
    default boolean mayJoin() {
        return this instanceof Apart || this instanceof LeftAfterWriting;
    }

    /** A request that reached both legs left the secondary in the transaction, or out of it. */
    default SecondaryPart taking(boolean takesPart) {
        if (this instanceof Joined joined) {
            return takesPart ? this : joined.wrote() ? new LeftAfterWriting() : APART;
        }
        if (takesPart && mayJoin()) {
            return new Joined(wrote());
        }
        // A failure behind or a queued transaction keeps the secondary out of the rest of the transaction.
        return this;
    }

    /** The secondary applied a request of the transaction (a write if {@code wrote}); it takes part if it is usable. */
    default SecondaryPart joining(boolean usable, boolean wrote) {
        if (!usable) {
            return taking(false);
        }
        return takesPart() || mayJoin() ? new Joined(wrote() || wrote) : this;
    }

    /**
     * The secondary's transaction ended (dropped, or its end sent by the commit protocol): it takes no further part; a
     * failure behind is still what the transaction's COMMIT gets, and a queued transaction is still queued.
     */
    default SecondaryPart ended() {
        if (this instanceof FailedBehind failed) {
            return new FailedBehind(failed.error(), false);
        }
        return this instanceof Queued ? this : APART;
    }

    /** A statement applied behind the primary failed with {@code error}. */
    default SecondaryPart failingBehind(ErrorResponse error) {
        return failure() != null || this instanceof Queued ? this : new FailedBehind(error, true);
    }

    /** The transaction goes to the replay queue. */
    default SecondaryPart queued() {
        return this instanceof Queued ? this : new Queued(failure());
    }

    /** The queued transaction committed with its entry, or ended without it: it is no longer headed for the queue. */
    default SecondaryPart queueingEnded() {
        if (this instanceof Queued queued) {
            return queued.earlierFailure() != null ? new FailedBehind(queued.earlierFailure(), false) : APART;
        }
        return this;
    }

    /** The part in a transaction the last one's AND CHAIN began: new, joined if the secondary chained too. */
    static SecondaryPart chained(boolean secondaryChained) {
        return secondaryChained ? new Joined(false) : APART;
    }
}
