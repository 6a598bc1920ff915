package io.exodus.proxy.sql;

/**
 * Whether a statement's rows come in an order the statement asks for: an {@code ORDER BY} outside every parenthesis.
 * One inside parentheses (a subquery, a CTE, {@code OVER (ORDER BY …)}, {@code string_agg(x ORDER BY y)}) orders
 * something else, not the rows the client receives.
 */
public final class TopLevelOrder {
    private TopLevelOrder() {
    }

    public static boolean orders(String sql) {
        if (sql == null || !SqlLexer.maySpell(sql, "order")) {
            return false;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.depth(i) == 0 && tokens.isWord(i, "order") && tokens.isWord(i + 1, "by")) {
                return true;
            }
        }
        return false;
    }
}
