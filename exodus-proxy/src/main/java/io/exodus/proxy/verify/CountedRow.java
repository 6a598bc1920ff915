package io.exodus.proxy.verify;

/**
 * The rows of a table without a primary key that share one canonical text, as one database holds them.
 *
 * @param text null unless {@code exodus.verify.show-values}
 */
record CountedRow(String md5, long copies, String text) {
}
