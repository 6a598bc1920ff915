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
        // A subscription that creates, drops or refreshes a replication slot (the default) refuses a block.
        if ((createOrDrop || tokens.isWord(i, "alter")) && tokens.isWord(i + 1, "subscription")) {
            return true;
        }
        // REINDEX SCHEMA/DATABASE/SYSTEM always, REINDEX TABLE/INDEX of a partitioned relation, and CLUSTER without
        // a table or of a partitioned one refuse a block. Which relations are partitioned only the catalog knows:
        // every REINDEX and CLUSTER runs unwrapped, which is correct for the others too (they only lose the lock
        // ordering that wrapping gives a write, and they write no rows).
        return tokens.isWord(i, "reindex") || tokens.isWord(i, "cluster");
    }
}
