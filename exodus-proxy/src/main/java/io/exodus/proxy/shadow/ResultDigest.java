package io.exodus.proxy.shadow;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * What one database answered to a read, reduced to numbers as the rows pass: per result set its row count, an
 * order-insensitive digest (two sums of a 64-bit hash of each DataRow's bytes, so that the same rows in any order sum
 * alike) and an in-order one (a chain over the same hashes). Nothing of a row is kept, so a large result costs no
 * memory. The first ErrorResponse's SQLSTATE is kept, as the answer's outcome.
 */
public final class ResultDigest {
    /**
     * One result set: the rows of one statement, up to its CommandComplete, or up to a PortalSuspended
     * ({@code partial}: the first rows of an Execute with a row limit).
     */
    public record ResultSet(long rows, long sum, long mixedSum, long chain, boolean partial) {
        boolean sameRows(ResultSet other) {
            return rows == other.rows && sum == other.sum && mixedSum == other.mixedSum;
        }
    }

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private final List<ResultSet> results = new ArrayList<>(1);
    private long rows;
    private long sum;
    private long mixedSum;
    private long chain;
    private long totalRows;
    private String sqlState;

    /** One DataRow: {@code length} bytes of its body from {@code offset} (its column count, lengths and values). */
    public void row(Buffer buffer, int offset, int length) {
        long hash = hash(buffer, offset, length);
        rows++;
        totalRows++;
        sum += hash;
        mixedSum += mix(hash + GOLDEN);
        chain = mix(chain ^ hash) + GOLDEN;
    }

    /** The statement whose rows came last ended (CommandComplete or EmptyQueryResponse). */
    public void endResult() {
        endResult(false);
    }

    /** The rows that came last end here; {@code partial}: the portal was suspended at its row limit. */
    public void endResult(boolean partial) {
        results.add(new ResultSet(rows, sum, mixedSum, chain, partial));
        rows = 0;
        sum = 0;
        mixedSum = 0;
        chain = 0;
    }

    public void error(String state) {
        if (sqlState == null) {
            sqlState = state == null ? "" : state;
        }
    }

    public long totalRows() {
        return totalRows;
    }

    public List<ResultSet> results() {
        return results;
    }

    /** The SQLSTATE of the first error, or null when the read succeeded. */
    public String sqlState() {
        return sqlState;
    }

    static long hash(Buffer buffer, int offset, int length) {
        long h = length * C2;
        int at = offset;
        int end = offset + length;
        for (; at + 8 <= end; at += 8) {
            long k = buffer.getLong(at) * C1;
            k = Long.rotateLeft(k, 31) * C2;
            h ^= k;
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        for (; at < end; at++) {
            h ^= (buffer.getByte(at) & 0xffL) * C1;
            h = Long.rotateLeft(h, 11) * C2;
        }
        return mix(h);
    }

    /** MurmurHash3's finaliser: every bit of the input reaches every bit of the output. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93e63b9fe53L;
        h ^= h >>> 33;
        return h;
    }
}
