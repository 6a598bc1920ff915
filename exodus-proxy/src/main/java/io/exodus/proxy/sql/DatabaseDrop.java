package io.exodus.proxy.sql;

import java.util.Optional;

/**
 * The database a {@code DROP DATABASE [IF EXISTS] name [[WITH] (…)]} drops. PostgreSQL refuses it while any other
 * session is connected to that database, Exodus's own control connections included: they must let go of it first.
 */
public final class DatabaseDrop {
    private DatabaseDrop() {
    }

    /** The dropped database's name, or empty when the text is not a DROP DATABASE. */
    public static Optional<String> droppedBy(String sql) {
        if (sql == null || !SqlLexer.maySpell(sql, "database")) {
            return Optional.empty();
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        int at = 0;
        while (at < tokens.size() && tokens.is(at, TokenType.SEMICOLON)) {
            at++;
        }
        if (!tokens.isWord(at, "drop") || !tokens.isWord(at + 1, "database")) {
            return Optional.empty();
        }
        at += 2;
        if (tokens.isWord(at, "if") && tokens.isWord(at + 1, "exists")) {
            at += 2;
        }
        return at < tokens.size() && tokens.isName(at) ? Optional.of(tokens.name(at)) : Optional.empty();
    }
}
