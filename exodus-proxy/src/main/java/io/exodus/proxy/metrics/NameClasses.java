package io.exodus.proxy.metrics;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The {@link StatementClass} of each prepared statement, or each portal, a session named: an open-addressing table
 * from a 64-bit hash of the name to the class's ordinal, in two primitive arrays. Looking a name up hashes its bytes
 * where they lie and allocates nothing; the arrays are allocated when the first name is stored and grow up to the
 * table's limit. Two names with the same hash share an entry: with at most a thousand names a session, that chance
 * is about 10<sup>-13</sup>, and it would only mistag a request.
 * <p>
 * Not thread-safe.
 */
final class NameClasses {
    /** Not found. */
    static final int UNKNOWN = -1;
    private static final int INITIAL_CAPACITY = 16;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int limit;
    private final boolean forgetAllWhenFull;
    /** 0 marks a free slot; {@link #key} never returns it. */
    private long[] keys;
    private byte[] classes;
    private int size;

    /**
     * @param limit             how many names are kept at most
     * @param forgetAllWhenFull what a new name does when the table is full: empty it first (for portals, which live
     *                          no longer than their transaction, so that the names a client never closed do not fill
     *                          the table for good), or not be stored (for statements, which live as long as the
     *                          session)
     */
    NameClasses(int limit, boolean forgetAllWhenFull) {
        this.limit = limit;
        this.forgetAllWhenFull = forgetAllWhenFull;
    }

    /** The key of the name in {@code [from, to)} of {@code bytes}: its FNV-1a hash, never 0. */
    static long key(ByteBuf bytes, int from, int to) {
        long hash = FNV_OFFSET;
        for (int i = from; i < to; i++) {
            hash ^= bytes.getByte(i) & 0xff;
            hash *= FNV_PRIME;
        }
        return hash == 0 ? 1 : hash;
    }

    /** The class ordinal stored for this key, or {@link #UNKNOWN}. */
    int get(long key) {
        if (keys == null) {
            return UNKNOWN;
        }
        int mask = keys.length - 1;
        for (int slot = slotOf(key, mask); ; slot = (slot + 1) & mask) {
            long found = keys[slot];
            if (found == key) {
                return classes[slot];
            }
            if (found == 0) {
                return UNKNOWN;
            }
        }
    }

    void put(long key, int statementClass) {
        if (keys == null) {
            keys = new long[INITIAL_CAPACITY];
            classes = new byte[INITIAL_CAPACITY];
        }
        int mask = keys.length - 1;
        int slot = slotOf(key, mask);
        while (keys[slot] != 0) {
            if (keys[slot] == key) {
                classes[slot] = (byte) statementClass;
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (size == limit) {
            if (!forgetAllWhenFull) {
                return;
            }
            clear();
            put(key, statementClass);
            return;
        }
        if ((size + 1) * 4 > keys.length * 3) {
            grow();
            put(key, statementClass);
            return;
        }
        keys[slot] = key;
        classes[slot] = (byte) statementClass;
        size++;
    }

    /** Forgets the key; the entries after it in its run move back, so that lookups need no tombstones. */
    void remove(long key) {
        if (keys == null) {
            return;
        }
        int mask = keys.length - 1;
        int slot = slotOf(key, mask);
        while (keys[slot] != key) {
            if (keys[slot] == 0) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        size--;
        int hole = slot;
        for (int next = (hole + 1) & mask; keys[next] != 0; next = (next + 1) & mask) {
            int home = slotOf(keys[next], mask);
            // The entry at next may fill the hole unless its home lies cyclically in (hole, next].
            boolean homeAfterHole = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!homeAfterHole) {
                keys[hole] = keys[next];
                classes[hole] = classes[next];
                hole = next;
            }
        }
        keys[hole] = 0;
    }

    int size() {
        return size;
    }

    private void clear() {
        Arrays.fill(keys, 0);
        size = 0;
    }

    private void grow() {
        long[] oldKeys = keys;
        byte[] oldClasses = classes;
        keys = new long[oldKeys.length * 2];
        classes = new byte[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], oldClasses[i]);
            }
        }
    }

    private static int slotOf(long key, int mask) {
        return (int) (key ^ (key >>> 32)) & mask;
    }
}
