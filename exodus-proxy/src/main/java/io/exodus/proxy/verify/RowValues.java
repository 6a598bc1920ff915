package io.exodus.proxy.verify;

import java.util.List;

/**
 * A row of a table with a primary key as a repair copies it: its key and md5, and every column's value as text in
 * the source's column order (null for SQL NULL).
 */
record RowValues(HashedRow row, List<String> values) {
}
