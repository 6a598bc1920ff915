package io.exodus.proxy.verify;

/**
 * How many leading hex digits of the md5 name a bucket of a table without a primary key: enough that a bucket holds
 * about half the bisection threshold, so that a differing bucket's rows can be compared at once; at least 2 (256
 * buckets, nothing to speak of) and at most 4 (65,536 bucket checksums per side).
 */
final class BucketDigits {
    private BucketDigits() {
    }

    static int forRows(long rows, long threshold) {
        int digits = 2;
        double perBucket = Math.max(1.0, threshold / 2.0);
        while (digits < 4 && rows / Math.pow(16, digits) > perBucket) {
            digits++;
        }
        return digits;
    }
}
