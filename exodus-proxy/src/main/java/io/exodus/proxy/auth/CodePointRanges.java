package io.exodus.proxy.auth;

import java.util.Arrays;

/**
 * A sorted set of inclusive code point ranges, written as {@code first, last} pairs the way RFC 3454 lists its
 * stringprep tables, so the tables can be compared line by line with the RFC.
 */
record CodePointRanges(int[] bounds) {

    CodePointRanges {
        if (bounds.length % 2 != 0) {
            throw new IllegalArgumentException("Code point ranges come in first/last pairs, got " + bounds.length
                    + " bounds");
        }
        for (int i = 0; i < bounds.length; i += 2) {
            boolean ordered = bounds[i] <= bounds[i + 1] && (i == 0 || bounds[i - 1] < bounds[i]);
            if (!ordered) {
                throw new IllegalArgumentException("Code point ranges must be sorted and disjoint; range "
                        + Integer.toHexString(bounds[i]) + ".." + Integer.toHexString(bounds[i + 1]) + " is not");
            }
        }
        bounds = bounds.clone();
    }

    static CodePointRanges of(int... bounds) {
        return new CodePointRanges(bounds);
    }

    boolean contains(int codePoint) {
        int low = 0;
        int high = bounds.length / 2 - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (codePoint < bounds[2 * middle]) {
                high = middle - 1;
            } else if (codePoint > bounds[2 * middle + 1]) {
                low = middle + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    @Override
    public int[] bounds() {
        return bounds.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CodePointRanges ranges && Arrays.equals(bounds, ranges.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        return "CodePointRanges[" + bounds.length / 2 + " ranges]";
    }
}
