package io.exodus.proxy.verify;

/**
 * What a database says about the rows of a range or bucket: how many, and two sums of 60-bit slices of each row's
 * md5. A sum does not depend on the order rows are read in, and counts a duplicated row twice, so equal checksums
 * mean equal multisets of rows (but for a 2^-120 chance).
 *
 * @param sumHigh the sum of bits 0–59 of each md5, as PostgreSQL's numeric prints it
 * @param sumLow  the sum of bits 60–119
 */
record RangeChecksum(long rows, String sumHigh, String sumLow) {
    static final RangeChecksum EMPTY = new RangeChecksum(0, "0", "0");

    boolean sameRowsAs(RangeChecksum other) {
        return rows == other.rows && sumHigh.equals(other.sumHigh) && sumLow.equals(other.sumLow);
    }
}
