package io.exodus.proxy.sql;

import java.util.Set;

/**
 * Whether a text may change the functions of its database, and so what calling one of them does: DDL that names a
 * function, procedure, routine, aggregate, language or extension ({@code CREATE OR REPLACE FUNCTION … VOLATILE},
 * {@code ALTER FUNCTION … VOLATILE}, {@code ALTER EXTENSION … UPDATE}), and any {@code DO} block (it may run such DDL
 * with EXECUTE). On the safe side: a column named {@code function} makes a CREATE TABLE count too, which only costs
 * a reading of the catalog.
 */
public final class RoutineChanges {
    private static final Set<String> DDL_VERBS = Set.of("create", "alter", "drop");
    private static final Set<String> ROUTINE_WORDS = Set.of("function", "procedure", "routine", "aggregate",
            "language", "extension");

    private RoutineChanges() {
    }

    /**
     * A cheap test before {@link #mayChangeFunctions}: whether the text starts with {@code DO} (after white space). A
     * DO block behind a leading comment is missed; a function it changes is then read at the next refresh.
     */
    public static boolean mayBeDoBlock(String sql) {
        int at = 0;
        while (at < sql.length() && Character.isWhitespace(sql.charAt(at))) {
            at++;
        }
        return sql.regionMatches(true, at, "do", 0, 2)
                && (at + 2 == sql.length() || !Character.isLetterOrDigit(sql.charAt(at + 2)) && sql.charAt(at + 2) != '_');
    }

    public static boolean mayChangeFunctions(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        boolean atStart = true;
        boolean ddl = false;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.SEMICOLON)) {
                atStart = true;
                ddl = false;
                continue;
            }
            if (atStart) {
                atStart = false;
                if (tokens.isWord(i, "do")) {
                    return true;
                }
                ddl = tokens.is(i, TokenType.WORD) && DDL_VERBS.contains(tokens.name(i));
            } else if (ddl && tokens.is(i, TokenType.WORD) && ROUTINE_WORDS.contains(tokens.name(i))) {
                return true;
            }
        }
        return false;
    }
}
