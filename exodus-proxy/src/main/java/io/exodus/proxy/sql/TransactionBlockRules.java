package io.exodus.proxy.sql;

import java.util.Optional;

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

    /**
     * Whether the text is one maintenance statement that changes how rows are stored or indexed but not what any query
     * answers ({@code VACUUM}, {@code REINDEX}, {@code CLUSTER}): the target need not get it to hold the same data,
     * and when its database's writes wait in the replay queue, which replays inside transactions, it is left out.
     */
    public static boolean isMaintenanceOnly(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        return SingleStatement.in(tokens).map(SingleStatement::from).filter(first -> tokens.isWord(first, "vacuum")
                || tokens.isWord(first, "reindex") || tokens.isWord(first, "cluster")).isPresent();
    }

    /**
     * Whether the text is one {@code CREATE [UNIQUE] INDEX CONCURRENTLY} or {@code REINDEX … CONCURRENTLY}: when it
     * fails, it leaves an invalid index behind (the one it built, or the {@code _ccnew} copy), which later statements
     * name ({@code DROP INDEX …_ccnew}) or reuse (a CREATE INDEX on the partitioned parent attaches it).
     */
    public static boolean leavesAnIndexWhenItFails(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty()) {
            return false;
        }
        int first = one.get().from();
        if (tokens.isWord(first, "reindex")) {
            for (int i = first + 1; i < one.get().to(); i++) {
                if (tokens.isWord(i, "concurrently") && tokens.depth(i) == 0) {
                    return true;
                }
            }
            return false;
        }
        int index = tokens.isWord(first, "create") && tokens.isWord(first + 1, "unique") ? first + 2 : first + 1;
        return tokens.isWord(first, "create") && tokens.isWord(index, "index")
                && tokens.isWord(index + 1, "concurrently");
    }

    /**
     * For one {@code CREATE [UNIQUE] INDEX CONCURRENTLY}, {@code DROP INDEX CONCURRENTLY} or {@code ALTER TABLE … DETACH
     * PARTITION … CONCURRENTLY}: the same statement without {@code CONCURRENTLY}, which runs inside a transaction and can therefore be queued for the target (it then locks
     * the table there while the replayer builds the index: the target's writes come from the queue meanwhile anyway).
     * Empty for anything else.
     */
    public static Optional<String> inTransactionForm(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        if (one.isEmpty()) {
            return Optional.empty();
        }
        int first = one.get().from();
        int index = tokens.isWord(first, "create") && tokens.isWord(first + 1, "unique") ? first + 2 : first + 1;
        boolean indexStatement = (tokens.isWord(first, "create") || tokens.isWord(first, "drop"))
                && tokens.isWord(index, "index") && tokens.isWord(index + 1, "concurrently");
        int word = indexStatement ? index + 1 : detachConcurrently(tokens, one.get());
        if (word < 0) {
            return Optional.empty();
        }
        return Optional.of(sql.substring(0, tokens.start(word)) + sql.substring(tokens.end(word)).stripLeading());
    }

    /**
     * The CONCURRENTLY of {@code ALTER TABLE t DETACH PARTITION p CONCURRENTLY}, or -1. Detached plainly inside a
     * transaction, the partition lacks the CHECK constraint the concurrent form adds: {@link PartitionDetach} adds it.
     */
    static int detachConcurrently(Tokens tokens, SingleStatement statement) {
        if (!tokens.isWord(statement.from(), "alter") || !tokens.isWord(statement.from() + 1, "table")) {
            return -1;
        }
        int last = statement.to() - 1;
        while (last > statement.from() && tokens.is(last, TokenType.SEMICOLON)) {
            last--;
        }
        if (!tokens.isWord(last, "concurrently") || tokens.depth(last) != 0) {
            return -1;
        }
        for (int i = statement.from() + 2; i < last; i++) {
            if (tokens.isWord(i, "detach") && tokens.isWord(i + 1, "partition")) {
                return last;
            }
        }
        return -1;
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
