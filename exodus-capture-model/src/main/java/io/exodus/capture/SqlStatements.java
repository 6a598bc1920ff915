package io.exodus.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * The statements of a Query message's text, which may hold several separated by semicolons ({@code BEGIN; UPDATE …;
 * COMMIT}). PostgreSQL answers each with its own CommandComplete, and pg_stat_statements counts each on its own; the
 * capture tap and the proxy's pinned statements do the same. Semicolons inside literals, quoted identifiers, comments
 * and dollar-quoted bodies do not split ({@link SqlScanner}); the semicolons inside a {@code BEGIN ATOMIC … END} body
 * do, as a lexer cannot tell them apart (PostgreSQL's grammar can).
 */
public final class SqlStatements {

    private SqlStatements() {
    }

    /**
     * The statements of {@code sql} as written, each without its semicolon and surrounding blanks; empty ones
     * ({@code ;;}) left out. A text without a semicolon between two statements is returned whole, as one.
     */
    public static List<String> split(String sql) {
        SqlTokens tokens = SqlScanner.scan(sql);
        List<String> statements = new ArrayList<>(1);
        int from = 0;
        // A part without a token (blanks, or only comments) is no statement: PostgreSQL sends no CommandComplete for it.
        boolean hasToken = false;
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.isSymbol(i, ";")) {
                if (hasToken) {
                    statements.add(sql.substring(from, tokens.start(i)).strip());
                }
                from = tokens.end(i);
                hasToken = false;
            } else {
                hasToken = true;
            }
        }
        if (hasToken) {
            statements.add(sql.substring(from).strip());
        }
        return statements;
    }

    /** The {@code index}-th statement of {@link #split}, or null when there are fewer. */
    public static String statement(String sql, int index) {
        if (index == 0 && endsItsOnlyStatement(sql)) {
            int semicolon = sql.indexOf(';');
            String whole = (semicolon < 0 ? sql : sql.substring(0, semicolon)).strip();
            return whole.isEmpty() ? null : whole;
        }
        List<String> statements = split(sql);
        return index < statements.size() ? statements.get(index) : null;
    }

    /**
     * Whether the text has no semicolon but at its end ({@code UPDATE …;}, as pgbench and many drivers send a
     * statement): then it is one statement, told without scanning it. A semicolon elsewhere (between statements, or
     * inside a literal or a comment) needs the scan.
     */
    private static boolean endsItsOnlyStatement(String sql) {
        int semicolon = sql.indexOf(';');
        if (semicolon < 0) {
            return true;
        }
        for (int i = semicolon; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c != ';' && !Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }
}
