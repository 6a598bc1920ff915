package io.exodus.canonical;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The canonical text of a row and its hash, as SQL both databases compute. The text is PostgreSQL's own output of
 * {@code ROW(c1, c2, …)} with the columns in the source's order (named, so a target whose columns were created in
 * another order compares by value), which keeps NULL apart from the empty string; every setting that changes how a
 * value prints is pinned for verification's sessions ({@link CanonicalSettings}). The md5 is over the text's UTF-8
 * bytes whatever the database's encoding.
 */
public final class CanonicalRow {
    /** The alias every verification query gives the table. */
    public static final String ALIAS = "r";

    private CanonicalRow() {
    }

    /** The column of the aliased table, its name always quoted (a keyword, mixed case or quotes read back as is). */
    public static String column(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a PostgreSQL identifier cannot contain a NUL character");
        }
        return ALIAS + ".\"" + name.replace("\"", "\"\"") + '"';
    }

    public static String text(List<String> columns) {
        return "ROW(" + columns.stream().map(CanonicalRow::column).collect(Collectors.joining(", ")) + ")::text";
    }

    /** Each column's value as text, the form a repair copies it in: read and written under the same settings. */
    public static String values(List<String> columns) {
        return columns.stream().map(name -> column(name) + "::text").collect(Collectors.joining(", "));
    }

    public static String md5(List<String> columns) {
        return "pg_catalog.md5(pg_catalog.convert_to(" + text(columns) + ", 'UTF8'))";
    }

    /**
     * count, and the two sums of the md5s in column {@code hashColumn} that make a range's checksum (the proxy's
     * RangeChecksum): bits 0–59 and 60–119 of each, summed as numeric (no overflow).
     */
    public static String checksumOf(String hashColumn) {
        return "count(*), coalesce(sum(('x' || substr(" + hashColumn + ", 1, 15))::bit(60)::bigint), 0)::text, "
                + "coalesce(sum(('x' || substr(" + hashColumn + ", 16, 15))::bit(60)::bigint), 0)::text";
    }
}
