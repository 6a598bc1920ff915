package io.exodus.proxy.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CopySnapshotTest {

    @Test
    void seesTransactionsBeforeXminAndThoseBelowXmaxThatWereNotInProgress() {
        CopySnapshot snapshot = CopySnapshot.parse("100:110:103,107");
        assertTrue(snapshot.sees(99));
        assertTrue(snapshot.sees(100));
        assertTrue(snapshot.sees(105));
        assertFalse(snapshot.sees(103), "in progress when the snapshot was taken");
        assertFalse(snapshot.sees(107), "in progress when the snapshot was taken");
        assertFalse(snapshot.sees(110), "xmax and later began after it");
        assertFalse(snapshot.sees(200));
    }

    @Test
    void thirtyTwoBitXidsFindTheirEpochAcrossAWraparound() {
        long epochOne = 1L << 32;
        // xmin just before the wrap of epoch 0, xmax just after it (in epoch 1).
        CopySnapshot snapshot = CopySnapshot.parse((epochOne - 10) + ":" + (epochOne + 5) + ":" + (epochOne + 2));
        assertTrue(snapshot.sees((int) (epochOne - 20)), "epoch 0, before xmin");
        assertTrue(snapshot.sees((int) (epochOne - 5)), "epoch 0, between xmin and xmax");
        assertTrue(snapshot.sees(1), "epoch 1, below xmax");
        assertFalse(snapshot.sees(2), "epoch 1, in progress");
        assertFalse(snapshot.sees(5), "epoch 1, xmax");
        assertFalse(snapshot.sees(50), "epoch 1, after xmax");
    }

    @Test
    void theSlotsOwnSnapshotSeesNothingTheSlotStreams() {
        assertFalse(CopySnapshot.parse(null).sees(1));
        assertFalse(CopySnapshot.SLOTS.sees(Integer.MAX_VALUE));
    }

    @Test
    void textThatIsNoSnapshotIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CopySnapshot.parse("100:110"));
    }
}
