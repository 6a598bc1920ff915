package io.exodus.proxy.sql;

/**
 * Writes names into SQL text the proxy builds itself (the row image INSERT), so that any name a client could create
 * (mixed case, spaces, quotes, a keyword) reads back as exactly that name.
 */
public final class Identifiers {

    private Identifiers() {
    }

    /**
     * The name as a PostgreSQL quoted identifier: in double quotes, with every inner double quote doubled. Always
     * quoted, unlike {@code quote_ident()}, since a quoted name is never mistaken for a keyword nor folded to lower
     * case.
     */
    public static String quote(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a PostgreSQL identifier cannot contain a NUL character");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** The text as a PostgreSQL string constant, read the same under either setting of standard_conforming_strings. */
    public static String literal(String text) {
        String quoted = "'" + text.replace("'", "''") + "'";
        return text.indexOf('\\') < 0 ? quoted : "E" + quoted.replace("\\", "\\\\");
    }
}
