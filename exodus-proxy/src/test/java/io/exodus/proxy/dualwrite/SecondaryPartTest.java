package io.exodus.proxy.dualwrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.SqlState;
import org.junit.jupiter.api.Test;

/** The secondary's part in a transaction, move by move, without a server. */
class SecondaryPartTest {
    private static final ErrorResponse REFUSED = ErrorResponse.error(SqlState.UNIQUE_VIOLATION, "duplicate key");

    @Test
    void aTransactionTheSecondaryJoinsAndWritesIn() {
        SecondaryPart part = SecondaryPart.APART.taking(true);
        assertEquals(new SecondaryPart.Joined(false), part);
        assertTrue(part.takesPart());
        assertFalse(part.wrote());
        part = part.joining(true, true);
        assertEquals(new SecondaryPart.Joined(true), part);
        assertTrue(part.holdsTransaction());
        assertSame(SecondaryPart.APART, part.ended());
    }

    @Test
    void aSecondaryLostAfterItWroteIsNotApart() {
        SecondaryPart left = new SecondaryPart.Joined(true).taking(false);
        assertEquals(new SecondaryPart.LeftAfterWriting(), left);
        assertFalse(left.takesPart());
        assertTrue(left.wrote(), "the COMMIT must know that the secondary applied part of the transaction");
        assertSame(SecondaryPart.APART, new SecondaryPart.Joined(false).taking(false), "one that only read is apart");
        assertEquals(new SecondaryPart.LeftAfterWriting(), new SecondaryPart.Joined(true).joining(false, false));
        assertEquals(new SecondaryPart.Joined(true), left.joining(true, false), "joining again keeps what it wrote");
    }

    @Test
    void aFailureBehindKeepsItsErrorUntilTheTransactionEnds() {
        SecondaryPart failed = new SecondaryPart.Joined(true).failingBehind(REFUSED);
        assertEquals(new SecondaryPart.FailedBehind(REFUSED, true), failed);
        assertFalse(failed.takesPart());
        assertTrue(failed.holdsTransaction(), "its transaction is still to be rolled back");
        assertSame(REFUSED, failed.failure());
        assertSame(failed, failed.taking(true), "a failed secondary does not take part again in the transaction");
        assertSame(failed, failed.joining(true, true));
        ErrorResponse later = ErrorResponse.error(SqlState.CONNECTION_FAILURE, "lost");
        assertSame(REFUSED, failed.failingBehind(later).failure(), "the first failure is the one the COMMIT gets");
        SecondaryPart dropped = failed.ended();
        assertEquals(new SecondaryPart.FailedBehind(REFUSED, false), dropped);
        assertFalse(dropped.holdsTransaction());
        assertSame(REFUSED, dropped.failure());
    }

    @Test
    void aQueuedTransactionStaysQueuedUntilItsQueueingEnds() {
        SecondaryPart queued = new SecondaryPart.Joined(true).ended().queued();
        assertEquals(new SecondaryPart.Queued(null), queued);
        assertFalse(queued.takesPart());
        assertFalse(queued.mayJoin());
        assertSame(queued, queued.taking(true));
        assertSame(queued, queued.joining(true, true));
        assertSame(queued, queued.ended());
        assertSame(queued, queued.failingBehind(REFUSED), "what the queue replays needs no failure behind");
        assertSame(queued, queued.queued());
        assertSame(SecondaryPart.APART, queued.queueingEnded());
        assertSame(SecondaryPart.APART, SecondaryPart.APART.queueingEnded());
    }

    @Test
    void aFailureBehindThatCameBeforeTheQueueingOutlivesIt() {
        SecondaryPart queued = new SecondaryPart.FailedBehind(REFUSED, true).ended().queued();
        assertEquals(new SecondaryPart.Queued(REFUSED), queued);
        assertSame(REFUSED, queued.failure());
        assertEquals(new SecondaryPart.FailedBehind(REFUSED, false), queued.queueingEnded());
    }

    @Test
    void aReadOnlyTransactionMayBeJoinedOnlyByASecondaryThatOwesNothing() {
        assertTrue(SecondaryPart.APART.mayJoin());
        assertTrue(new SecondaryPart.LeftAfterWriting().mayJoin());
        assertFalse(new SecondaryPart.Joined(false).mayJoin());
        assertFalse(new SecondaryPart.FailedBehind(REFUSED, false).mayJoin());
        assertFalse(new SecondaryPart.Queued(null).mayJoin());
    }

    @Test
    void aChainedTransactionStartsAfresh() {
        assertEquals(new SecondaryPart.Joined(false), SecondaryPart.chained(true));
        assertSame(SecondaryPart.APART, SecondaryPart.chained(false));
        assertNull(SecondaryPart.chained(true).failure());
    }
}
