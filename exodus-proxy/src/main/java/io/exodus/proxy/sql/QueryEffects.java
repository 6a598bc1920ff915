package io.exodus.proxy.sql;

/**
 * What a query that starts like a read ({@code SELECT}, {@code VALUES}, {@code TABLE}, {@code WITH}) may do besides
 * reading, found in one pass over its tokens:
 * <ul>
 * <li>a data-modifying statement anywhere in it: {@code WITH x AS (DELETE … RETURNING *) SELECT …}, or the main
 * statement after a WITH clause. INSERT, UPDATE, DELETE and MERGE are keywords; an unquoted column of that name
 * ({@code select update from t}) is taken for a write too, which is the safe mistake; a qualified one
 * ({@code t.update}) or an alias ({@code AS update}) is not;</li>
 * <li>{@code SELECT … INTO newtable} (and the INTO of any statement nested in it);</li>
 * <li>a locking clause: {@code FOR UPDATE}, {@code FOR NO KEY UPDATE}, {@code FOR SHARE}, {@code FOR KEY SHARE}.</li>
 * </ul>
 * Lookahead may cross {@code to} only into a word that still belongs to the statement: statements end before a
 * {@code ;} or a {@code )}, neither of which is a word.
 */
record QueryEffects(boolean writes, boolean locking) {

    private static final QueryEffects NONE = new QueryEffects(false, false);

    static QueryEffects of(Tokens tokens, int from, int to) {
        boolean writes = false;
        boolean locking = false;
        for (int i = from; i < to; i++) {
            if (!tokens.is(i, TokenType.WORD)) {
                continue;
            }
            if (tokens.isWord(i, "for") && isLockStrength(tokens, i + 1)) {
                locking = true;
            } else if (tokens.isWord(i, "into")) {
                writes = true;
            } else if (isDataModifyingVerb(tokens, i) && !isPartOfLockStrength(tokens, i) && !isAName(tokens, i)) {
                writes = true;
            }
        }
        return writes || locking ? new QueryEffects(writes, locking) : NONE;
    }

    /** UPDATE, NO KEY UPDATE, SHARE, KEY SHARE. */
    private static boolean isLockStrength(Tokens tokens, int i) {
        return tokens.isWord(i, "update") || tokens.isWord(i, "share")
                || (tokens.isWord(i, "no") && tokens.isWord(i + 1, "key") && tokens.isWord(i + 2, "update"))
                || (tokens.isWord(i, "key") && tokens.isWord(i + 1, "share"));
    }

    private static boolean isPartOfLockStrength(Tokens tokens, int i) {
        return tokens.isWord(i - 1, "for") || (tokens.isWord(i - 1, "key") && tokens.isWord(i - 2, "no"));
    }

    /** {@code t.update}, {@code update.x}, {@code AS update}: a column or an alias, not a statement. */
    private static boolean isAName(Tokens tokens, int i) {
        return tokens.is(i - 1, TokenType.DOT) || tokens.is(i + 1, TokenType.DOT) || tokens.isWord(i - 1, "as");
    }

    private static boolean isDataModifyingVerb(Tokens tokens, int i) {
        return tokens.isWord(i, "insert") || tokens.isWord(i, "update") || tokens.isWord(i, "delete")
                || tokens.isWord(i, "merge");
    }
}
