package io.exodus.proxy.sql;

import java.util.Optional;

/**
 * A {@code DROP INDEX} as the catch-up queue replays it: with {@code IF EXISTS}. The source dropped the index; if the
 * target never got it (the invalid leftover of a concurrent build that failed on the source while the database's
 * writes were queued, or an index of a session's temporary table), the target without it is what the source is
 * after the DROP, and the replay must not stop there.
 */
public final class MissingIndexDrop {
    private MissingIndexDrop() {
    }

    /** The text with {@code IF EXISTS}, for one {@code DROP INDEX [CONCURRENTLY] name, …} without it; else empty. */
    public static Optional<String> tolerant(String sql) {
        // Every write the queue records passes here: only a text that begins with DROP is lexed.
        if (sql == null || !sql.stripLeading().regionMatches(true, 0, "drop", 0, 4)) {
            return Optional.empty();
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty() || !tokens.isWord(one.get().from(), "drop") || !tokens.isWord(one.get().from() + 1, "index")) {
            return Optional.empty();
        }
        int at = one.get().from() + 2;
        if (tokens.isWord(at, "concurrently")) {
            at++;
        }
        if (tokens.isWord(at, "if") || at >= one.get().to()) {
            return Optional.empty();
        }
        return Optional.of(sql.substring(0, tokens.start(at)) + "IF EXISTS " + sql.substring(tokens.start(at)));
    }
}
