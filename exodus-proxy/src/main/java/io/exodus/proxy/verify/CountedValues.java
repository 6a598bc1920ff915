package io.exodus.proxy.verify;

import java.util.List;

/**
 * Rows of a table without a primary key that share one canonical text, as a repair copies them: how many copies one
 * database holds, and the values of one as text in the source's column order.
 */
record CountedValues(CountedRow row, List<String> values) {
}
