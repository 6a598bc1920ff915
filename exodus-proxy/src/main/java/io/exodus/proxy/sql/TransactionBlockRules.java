package io.exodus.proxy.sql;

/**
 * Which statements PostgreSQL refuses to run inside a transaction block ({@code VACUUM}, {@code CREATE DATABASE},
 * {@code CREATE INDEX CONCURRENTLY} …). Dual-write wraps an autocommit write in {@code BEGIN … COMMIT} on both legs
 * to keep the primary's row locks while the secondary applies it; these statements cannot be wrapped and run on one
 * leg after the other instead.
 */
public final class TransactionBlockRules {
    private TransactionBlockRules() {
    }

    /** Whether any statement of the text cannot run inside a transaction block. */
    public static boolean forbidsTransactionBlock(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        boolean statementStart = true;
        boolean refreshes = false;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.SEMICOLON)) {
                statementStart = true;
                continue;
            }
            if (statementStart) {
                statementStart = false;
                refreshes = tokens.isWord(i, "refresh");
                if (startsForbidden(tokens, i)) {
                    return true;
                }
            }
            // CREATE/DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY; REFRESH MATERIALIZED VIEW CONCURRENTLY is allowed.
            if (!refreshes && tokens.isWord(i, "concurrently") && tokens.depth(i) == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsForbidden(Tokens tokens, int i) {
        if (tokens.isWord(i, "vacuum")) {
            return true;
        }
        boolean createOrDrop = tokens.isWord(i, "create") || tokens.isWord(i, "drop");
        if (createOrDrop && (tokens.isWord(i + 1, "database") || tokens.isWord(i + 1, "tablespace"))) {
            return true;
        }
        if (tokens.isWord(i, "alter") && tokens.isWord(i + 1, "system")) {
            return true;
        }
        return tokens.isWord(i, "reindex") && (tokens.isWord(i + 1, "database") || tokens.isWord(i + 1, "system"));
    }
}
