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
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.isSymbol(i, ";")) {
                addIfNotBlank(statements, sql.substring(from, tokens.start(i)));
                from = tokens.end(i);
            }
        }
        addIfNotBlank(statements, sql.substring(from));
        return statements;
    }

    /** The {@code index}-th statement of {@link #split}, or null when there are fewer. */
    public static String statement(String sql, int index) {
        if (index == 0 && sql.indexOf(';') < 0) {
            String whole = sql.strip();
            return whole.isEmpty() ? null : whole;
        }
        List<String> statements = split(sql);
        return index < statements.size() ? statements.get(index) : null;
    }

    private static void addIfNotBlank(List<String> statements, String statement) {
        // A part holding only comments is no statement either: PostgreSQL sends no CommandComplete for it.
        String stripped = statement.strip();
        if (!stripped.isEmpty() && SqlScanner.scan(stripped).count() > 0) {
            statements.add(stripped);
        }
    }
}
