package io.exodus.proxy.dualwrite.copy;

import io.exodus.proxy.sql.Identifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The columns a {@code COPY … FROM} leaves out whose defaults each database would compute differently — serial and
 * identity columns, {@code now()}, {@code gen_random_uuid()}, any default that calls a function that is not
 * immutable — and the expressions that draw their values on the primary. Found in the catalog of the primary, in
 * the client's transaction (so that the table is the one the COPY names under the session's search_path).
 * Generated columns are never listed: COPY cannot write them, each database computes them from the row.
 *
 * @param columns     quoted names of the columns to draw values for, in table order
 * @param expressions the expressions that draw them, in the same order
 * @param encoding    the session's client_encoding, in which text and CSV data arrive
 */
public record DrawnDefaults(List<String> columns, List<String> expressions, String encoding) {

    /**
     * Client encodings in which a byte below 0x80 can be the second byte of a character: there a newline, quote
     * or delimiter byte is not always one, and Exodus does not split such data into rows.
     */
    private static final Set<String> NOT_ASCII_SAFE = Set.of("SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "UHC",
            "GB18030", "JOHAB");

    /**
     * One row per column of the table (none when the name does not resolve): name, the expression of its default
     * (the next value of its sequence for an identity column), whether that default is drawn, and the session's
     * client_encoding. A default is drawn when it is an identity, or its expression tree holds a function that is
     * not immutable, or a node whose value is not a constant ({@code CURRENT_TIMESTAMP} and the like, a sequence,
     * a sub-select, an I/O conversion).
     *
     * @param table the table as the COPY writes it, quoted or qualified as it is
     */
    public static String sql(String table) {
        String tree = "coalesce(d.adbin, t.typdefaultbin)";
        return "SELECT a.attname, CASE WHEN a.attidentity <> '' THEN 'nextval(' || quote_literal("
                + "pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)) || '::regclass)' "
                + "ELSE pg_get_expr(" + tree + ", coalesce(d.adrelid, 0)) END, "
                + "a.attidentity <> '' OR (" + tree + ")::text ~ '[{](SQLVALUEFUNCTION|NEXTVALUEEXPR|SUBLINK|"
                + "COERCEVIAIO|PARAM) ' OR EXISTS (SELECT 1 FROM regexp_matches((" + tree + ")::text, "
                + "':(?:funcid|opfuncid) ([0-9]+)', 'g') AS m(id) JOIN pg_catalog.pg_proc p ON p.oid = m.id[1]::oid "
                + "WHERE p.provolatile <> 'i'), current_setting('client_encoding') "
                + "FROM pg_catalog.pg_attribute a "
                + "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                + "LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid AND t.typtype = 'd' "
                + "WHERE a.attrelid = to_regclass(" + literal(table) + ") AND a.attnum > 0 AND NOT a.attisdropped "
                + "AND a.attgenerated = '' ORDER BY a.attnum";
    }

    /**
     * The drawn defaults of the columns the COPY leaves out.
     *
     * @param rows        the rows of {@link #sql}, as text: name, expression, drawn ({@code t}/{@code f}), encoding
     * @param copyColumns the columns the COPY names, as PostgreSQL folds them
     */
    public static DrawnDefaults of(List<List<String>> rows, List<String> copyColumns) {
        List<String> columns = new ArrayList<>();
        List<String> expressions = new ArrayList<>();
        String encoding = null;
        for (List<String> row : rows) {
            encoding = row.get(3);
            if (copyColumns.contains(row.get(0)) || !"t".equals(row.get(2)) || row.get(1) == null) {
                continue;
            }
            columns.add(Identifiers.quote(row.get(0)));
            expressions.add(row.get(1));
        }
        return new DrawnDefaults(List.copyOf(columns), List.copyOf(expressions), encoding);
    }

    public boolean any() {
        return !columns.isEmpty();
    }

    /** Whether text and CSV rows in this encoding can be split at ASCII bytes. */
    public static boolean asciiSafe(String encoding) {
        return encoding == null || !NOT_ASCII_SAFE.contains(encoding.toUpperCase(Locale.ROOT).replace("-", "_"));
    }

    /** The query that draws the values for {@code rows} rows, one row of values per row. */
    public String drawQuery(int rows) {
        return "SELECT " + String.join(", ", expressions) + " FROM pg_catalog.generate_series(1, " + rows + ")";
    }

    private static String literal(String text) {
        return Identifiers.literal(text);
    }
}
