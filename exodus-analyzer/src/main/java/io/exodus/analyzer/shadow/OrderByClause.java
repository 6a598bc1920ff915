package io.exodus.analyzer.shadow;

import io.exodus.capture.SqlScanner;
import io.exodus.capture.SqlTokens;

/**
 * Whether a statement orders its result: an ORDER BY outside every parenthesis. Window, aggregate and subquery
 * orders are inside one and order nothing the client sees; without a top-level ORDER BY the rows are compared as
 * multisets, since their order is the server's choice.
 */
final class OrderByClause {
    private OrderByClause() {
    }

    static boolean ordersResult(String text) {
        SqlTokens tokens = SqlScanner.scan(text);
        int depth = 0;
        for (int i = 0; i < tokens.count(); i++) {
            if (tokens.isSymbol(i, "(")) {
                depth++;
            } else if (tokens.isSymbol(i, ")")) {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0 && tokens.isWord(i, "order") && tokens.isWord(i + 1, "by")) {
                return true;
            }
        }
        return false;
    }
}
