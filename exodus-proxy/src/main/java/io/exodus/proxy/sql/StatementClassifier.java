package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tells dual-write routing what a statement text does: read, write, DDL, transaction control, session state, COPY
 * in or out, or unknown (which counts as a write). Every simple Query and every Parse passes through it, usually via
 * {@link ClassificationCache}.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>READ: SELECT, VALUES, TABLE, SHOW, FETCH, MOVE, CLOSE, DECLARE … CURSOR FOR a read, EXPLAIN without ANALYZE,
 * EXPLAIN ANALYZE of a read; empty text and text of only comments.</li>
 * <li>WRITE: INSERT, UPDATE, DELETE, MERGE, CALL, DO, TRUNCATE, LOCK, NOTIFY; a read with a data-modifying WITH query,
 * {@code SELECT … INTO}, a locking clause ({@code FOR UPDATE}…), or a call to a volatile function (per
 * {@link FunctionVolatility}: {@code nextval}, {@code setval}, advisory locks …); EXPLAIN ANALYZE of a write.</li>
 * <li>DDL: CREATE (also CREATE TABLE AS), ALTER, DROP, COMMENT, GRANT, REVOKE, REINDEX, CLUSTER, VACUUM, ANALYZE,
 * REFRESH MATERIALIZED VIEW, SECURITY LABEL, IMPORT FOREIGN SCHEMA, REASSIGN OWNED.</li>
 * <li>SESSION: SET (LOCAL, SESSION, ROLE, search_path …), RESET, DISCARD, LISTEN, UNLISTEN, LOAD, PREPARE name AS …
 * (with the prepared statement's own classification as {@link Classification#inner()}), DEALLOCATE; a read that
 * calls {@code set_config}.</li>
 * <li>TRANSACTION: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, ROLLBACK TO,
 * PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED, SET TRANSACTION, SET SESSION CHARACTERISTICS.</li>
 * <li>COPY_IN: COPY … FROM. COPY_OUT: COPY … TO, including {@code COPY (SELECT …) TO STDOUT}.</li>
 * <li>UNKNOWN: EXECUTE name (the session resolves the name: {@link Classification#preparedName()}), and anything
 * else.</li>
 * </ul>
 * Several statements in one text take the most write-like kind ({@link StatementKind#mostWriteLike}); each one's
 * facts are in {@link Classification#statements()}. Comments and quoting never change the result: the lexer turns
 * every string, dollar quote and quoted identifier into one token that no rule looks into.
 *
 * <h2>Cost</h2>
 * One pass of {@link SqlLexer} over the characters (no regular expressions; the tokens are offsets in one
 * {@code int[]}), then one pass over the tokens to split statements, and a few passes over each statement's tokens
 * by the rules that apply (locking/INTO/DML words, function calls; a WITH clause adds one more). Nothing is
 * backtracked; parenthesised parts are skipped through their partner index. Allocation: the token array, the
 * first keyword of each statement and the names of function calls, as Strings, and the result. A typical OLTP
 * statement is a few hundred tokens at most, so a miss costs microseconds; {@link ClassificationCache} makes a
 * repeated text cost one hash lookup.
 * <p>
 * Immutable and thread-safe.
 */
public final class StatementClassifier {

    private final FunctionVolatility volatility;
    private final StatementRules rules;

    public StatementClassifier(FunctionVolatility volatility) {
        this.volatility = Objects.requireNonNull(volatility, "volatility");
        this.rules = new StatementRules(volatility);
    }

    /** Classifies with {@code standard_conforming_strings = on}, PostgreSQL's default. */
    public Classification classify(String sql) {
        return classify(sql, true);
    }

    /**
     * @param standardConformingStrings the session's setting: whether a backslash in {@code '…'} is an ordinary
     *                                  character (on) or an escape (off)
     */
    public Classification classify(String sql, boolean standardConformingStrings) {
        Tokens tokens = SqlLexer.tokenize(sql, standardConformingStrings);
        Classification only = null;
        List<Classification> several = null;
        int start = 0;
        while (start < tokens.size()) {
            int end = endOfStatement(tokens, start);
            if (end > start) {
                Classification statement = rules.classify(tokens, start, end);
                if (only == null) {
                    only = statement;
                } else {
                    if (several == null) {
                        several = new ArrayList<>();
                        several.add(only);
                    }
                    several.add(statement);
                }
            }
            start = end + 1;
        }
        if (several != null) {
            return Classification.ofSeveral(several);
        }
        return only == null ? Classification.EMPTY : only;
    }

    public FunctionVolatility volatility() {
        return volatility;
    }

    /**
     * The index of the {@code ;} that ends the statement starting at {@code start}, or the token count. A {@code ;}
     * inside parentheses ({@code CREATE RULE … DO (…; …)}) or inside the {@code BEGIN ATOMIC … END} body of a
     * CREATE FUNCTION or PROCEDURE (where CASE … END nests, as psql counts it) does not end it.
     */
    static int endOfStatement(Tokens tokens, int start) {
        boolean creates = tokens.isWord(start, "create");
        int atomicDepth = 0;
        for (int i = start; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.SEMICOLON)) {
                if (tokens.depth(i) == 0 && atomicDepth == 0) {
                    return i;
                }
            } else if (creates && tokens.is(i, TokenType.WORD)) {
                if (atomicDepth == 0) {
                    if (tokens.isWord(i, "atomic") && tokens.isWord(i - 1, "begin")) {
                        atomicDepth = 1;
                    }
                } else if (tokens.isWord(i, "case")) {
                    atomicDepth++;
                } else if (tokens.isWord(i, "end")) {
                    atomicDepth--;
                }
            }
        }
        return tokens.size();
    }
}
