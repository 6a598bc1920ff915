package io.exodus.proxy.verify;

import java.util.List;

/**
 * A row as verification reads it: its primary key (each column as PostgreSQL prints it), the md5 of its canonical
 * text, and that text when values are to be shown.
 *
 * @param text null unless {@code exodus.verify.show-values}
 */
record HashedRow(List<String> key, String md5, String text) {
}
