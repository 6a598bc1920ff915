package io.exodus.proxy.sql;

import java.util.Optional;

/**
 * How many rows an {@code INSERT … VALUES (…), (…)} offers its table: the rows of its VALUES list, known from the text
 * alone. A BEFORE INSERT trigger may keep some of them out of the table (it returns NULL, having put the row elsewhere,
 * as partitioning by inheritance does); the rows the INSERT returns are then fewer.
 */
public final class InsertValues {
    private InsertValues() {
    }

    /** The number of rows of the statement's VALUES list, or -1 for any other text (an INSERT … SELECT, a WITH …). */
    public static int rowCount(String sql) {
        if (sql == null) {
            return -1;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty() || !tokens.isWord(one.get().from(), "insert")) {
            return -1;
        }
        int at = one.get().from() + 1;
        while (at < one.get().to() && !(tokens.depth(at) == 0 && tokens.isWord(at, "values"))) {
            if (tokens.depth(at) == 0 && (tokens.isWord(at, "select") || tokens.isWord(at, "default"))) {
                return -1; // INSERT … SELECT, INSERT … DEFAULT VALUES (one row, but no list to count)
            }
            at++;
        }
        if (at >= one.get().to()) {
            return -1;
        }
        int rows = 0;
        at++;
        while (at < one.get().to() && tokens.is(at, TokenType.LEFT_PAREN)) {
            rows++;
            at = tokens.partner(at) + 1;
            if (!tokens.is(at, TokenType.COMMA)) {
                break;
            }
            at++;
        }
        return rows == 0 ? -1 : rows;
    }
}
