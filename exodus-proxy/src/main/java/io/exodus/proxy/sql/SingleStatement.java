package io.exodus.proxy.sql;

import java.util.Optional;

/**
 * The one statement of a text, semicolons before and after it aside: its tokens {@code [from, to)}. The texts Exodus
 * rewrites or reads for a single purpose (a row image's RETURNING, an index statement without CONCURRENTLY) must hold
 * exactly one.
 */
record SingleStatement(int from, int to) {

    /** Empty when the text holds no statement, or several. */
    static Optional<SingleStatement> in(Tokens tokens) {
        int from = firstNonSemicolon(tokens, 0);
        int to = StatementClassifier.endOfStatement(tokens, from);
        if (from >= to || firstNonSemicolon(tokens, to) < tokens.size()) {
            return Optional.empty();
        }
        return Optional.of(new SingleStatement(from, to));
    }

    /** Whether every parenthesis of the statement has its partner inside it. */
    boolean balanced(Tokens tokens) {
        for (int i = from; i < to; i++) {
            if (tokens.is(i, TokenType.LEFT_PAREN) || tokens.is(i, TokenType.RIGHT_PAREN)) {
                int partner = tokens.partner(i);
                if (partner < from || partner >= to) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int firstNonSemicolon(Tokens tokens, int from) {
        int index = from;
        while (index < tokens.size() && tokens.is(index, TokenType.SEMICOLON)) {
            index++;
        }
        return index;
    }
}
