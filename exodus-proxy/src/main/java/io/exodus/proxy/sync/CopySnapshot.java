package io.exodus.proxy.sync;

import java.util.HashSet;
import java.util.Set;

/**
 * The snapshot a table was copied under, as {@code pg_current_snapshot()} wrote it ({@code xmin:xmax:xip,…}): which
 * transactions the copy holds. A table copied under the slot's own exported snapshot holds none of the transactions
 * the slot streams ({@link #SLOTS}); a table copied again after a crash, under a later snapshot, holds those that
 * were visible to it, and their changes of it must not be applied a second time (ADR 0031).
 */
record CopySnapshot(long xmin, long xmax, Set<Long> inProgress) {
    /** The slot's exported snapshot: every transaction the slot streams committed after it. */
    static final CopySnapshot SLOTS = new CopySnapshot(0, 0, Set.of());

    private static final long HALF = 1L << 31;
    private static final long EPOCH = 1L << 32;

    /** @param text a {@code pg_snapshot} in its text form, or null for the slot's own snapshot */
    static CopySnapshot parse(String text) {
        if (text == null) {
            return SLOTS;
        }
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a pg_snapshot: " + text);
        }
        Set<Long> inProgress = new HashSet<>();
        if (!parts[2].isEmpty()) {
            for (String xid : parts[2].split(",")) {
                inProgress.add(Long.parseLong(xid));
            }
        }
        return new CopySnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Set.copyOf(inProgress));
    }

    /**
     * Whether the copy holds the work of the committed transaction {@code xid}, the 32-bit id pgoutput's Begin
     * carries. Its epoch is the one that puts it nearest the snapshot's xmax: the slot's catalog_xmin holds back the
     * source's wraparound limit, so a transaction it streams is never 2^31 transactions away from the snapshot.
     */
    boolean sees(int xid) {
        if (this == SLOTS) {
            return false;
        }
        long full = (xmax & ~(EPOCH - 1)) | Integer.toUnsignedLong(xid);
        if (full > xmax + HALF) {
            full -= EPOCH;
        } else if (full < xmax - HALF) {
            full += EPOCH;
        }
        return full < xmin || (full < xmax && !inProgress.contains(full));
    }
}
