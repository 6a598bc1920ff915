package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;

/**
 * What to do with a key range once both databases' checksums of it are known: nothing (the same rows), compare its
 * rows one by one (few enough), or split it into {@code factor} parts of about equal rows and check each (the
 * data-diff bisection). Parts are cut along the keys of the side with more rows: the side with fewer may have none
 * to cut along (all its rows missing), and cutting the fuller side makes each part smaller on both.
 */
final class Bisection {
    private final long threshold;
    private final int factor;

    /**
     * @param threshold ranges with at most this many rows on each side are compared row by row
     * @param factor    the number of parts a larger differing range is split into
     */
    Bisection(long threshold, int factor) {
        if (threshold < 1) {
            throw new IllegalArgumentException("exodus.verify.bisection-threshold must be at least 1, not " + threshold);
        }
        if (factor < 2) {
            throw new IllegalArgumentException("exodus.verify.bisection-factor must be at least 2, not " + factor);
        }
        this.threshold = threshold;
        this.factor = factor;
    }

    sealed interface Step {
    }

    /** Both databases hold the same rows in the range. */
    record Identical() implements Step {
    }

    /** Read the range's rows (keys and hashes) from both databases and compare them. */
    record CompareRows() implements Step {
    }

    /**
     * Cut the range along the keys of one side, every {@code rowsPerPart} rows.
     */
    record Split(Side side, long rowsPerPart) implements Step {
    }

    Step next(RangeChecksum source, RangeChecksum target) {
        if (source.sameRowsAs(target)) {
            return new Identical();
        }
        long larger = Math.max(source.rows(), target.rows());
        if (larger <= threshold) {
            return new CompareRows();
        }
        Side side = source.rows() >= target.rows() ? Side.SOURCE : Side.TARGET;
        // At least 1 row per part, and fewer than the range holds, so that every split makes progress.
        long rowsPerPart = Math.max(1, Math.min(larger - 1, (larger + factor - 1) / factor));
        return new Split(side, rowsPerPart);
    }
}
