package io.exodus.proxy.sql;

import java.util.List;

import static io.exodus.proxy.sql.StatementKind.COPY_IN;
import static io.exodus.proxy.sql.StatementKind.COPY_OUT;
import static io.exodus.proxy.sql.StatementKind.DDL;
import static io.exodus.proxy.sql.StatementKind.READ;
import static io.exodus.proxy.sql.StatementKind.SESSION;
import static io.exodus.proxy.sql.StatementKind.UNKNOWN;
import static io.exodus.proxy.sql.StatementKind.WRITE;

/**
 * The classification rules for one statement (tokens {@code [from, to)}, no top-level {@code ;}), chosen by its first
 * keyword. Statements that wrap another one (EXPLAIN, PREPARE, DECLARE, COPY (query)) classify it with the same rules.
 */
final class StatementRules {

    private final FunctionVolatility volatility;

    StatementRules(FunctionVolatility volatility) {
        this.volatility = volatility;
    }

    Classification classify(Tokens tokens, int from, int to) {
        int verb = from;
        // "(SELECT …) UNION (SELECT …)": a query may start with parentheses.
        while (verb < to && tokens.is(verb, TokenType.LEFT_PAREN)) {
            verb++;
        }
        if (verb >= to || !tokens.is(verb, TokenType.WORD)) {
            return Classification.of(UNKNOWN);
        }
        String word = tokens.name(verb);
        return switch (word) {
            case "select", "values", "table" -> query(tokens, verb, to, -1, -1);
            case "with" -> with(tokens, verb, to);
            case "show" -> Classification.of(READ);
            case "fetch", "move" -> Classification.cursor(CursorVerb.FETCH, lastName(tokens, verb, to), null);
            case "close" -> tokens.isWord(verb + 1, "all") && verb + 2 >= to
                    ? Classification.cursor(CursorVerb.CLOSE_ALL, null, null)
                    : Classification.cursor(CursorVerb.CLOSE, lastName(tokens, verb, to), null);
            case "declare" -> declare(tokens, verb, to);
            case "explain" -> explain(tokens, verb, to);
            case "set" -> set(tokens, verb, to);
            case "discard" -> tokens.isWord(verb + 1, "all")
                    ? Classification.prepared(SESSION, PreparedStatementVerb.DEALLOCATE_ALL, null, null, List.of())
                    : Classification.of(SESSION);
            case "prepare" -> prepare(tokens, verb, to);
            case "execute" -> execute(tokens, verb, to);
            case "deallocate" -> deallocate(tokens, verb);
            case "copy" -> copy(tokens, verb, to);
            case "begin", "start" -> Classification.transaction(TransactionVerb.BEGIN, readOnly(tokens, verb, to));
            case "commit", "end" -> Classification.transaction(tokens.isWord(verb + 1, "prepared")
                    ? TransactionVerb.COMMIT_PREPARED
                    : chains(tokens, verb, to) ? TransactionVerb.COMMIT_AND_CHAIN : TransactionVerb.COMMIT, false);
            case "rollback", "abort" -> rollback(tokens, verb, to);
            case "savepoint" -> Classification.transaction(TransactionVerb.SAVEPOINT, false);
            case "release" -> Classification.transaction(TransactionVerb.RELEASE_SAVEPOINT, false);
            default -> byLeadingWord(word, tokens, verb, to);
        };
    }

    /** A statement its first word alone classifies ({@link LeadingWords}): a write or DDL, session state, or unknown. */
    private static Classification byLeadingWord(String word, Tokens tokens, int verb, int to) {
        StatementKind kind = LeadingWords.kindOf(word);
        if (kind == WRITE || kind == DDL) {
            return Classification.of(kind, FunctionCalls.find(tokens, verb, to, -1, -1));
        }
        return Classification.of(kind == SESSION ? SESSION : UNKNOWN);
    }

    /** SELECT, VALUES, TABLE, or WITH …: a read unless {@link QueryEffects} or a function call says otherwise. */
    private Classification query(Tokens tokens, int verb, int to, int cteListEnd, int cteListDepth) {
        QueryEffects effects = QueryEffects.of(tokens, verb, to);
        List<String> calls = FunctionCalls.find(tokens, verb, to, cteListEnd, cteListDepth);
        StatementKind kind = effects.writes() || effects.locking() ? WRITE : READ;
        for (String call : calls) {
            kind = StatementKind.mostWriteLike(kind, volatility.effectOf(call));
        }
        return Classification.query(kind, effects.locking(), calls);
    }

    /**
     * WITH: the queries of the WITH clause are parenthesised, so the main statement is the first SELECT, VALUES,
     * TABLE, INSERT, UPDATE, DELETE or MERGE at the depth of WITH. Data-modifying statements, main or not, are
     * found by {@link QueryEffects}; the main statement only ends the list of query names.
     */
    private Classification with(Tokens tokens, int verb, int to) {
        int depth = tokens.depth(verb);
        int main = to;
        for (int i = verb + 1; i < to; i++) {
            if (tokens.depth(i) == depth && isQueryVerb(tokens, i)) {
                main = i;
                break;
            }
        }
        return query(tokens, verb, to, main, depth);
    }

    private static boolean isQueryVerb(Tokens tokens, int i) {
        return tokens.isWord(i, "select") || tokens.isWord(i, "values") || tokens.isWord(i, "table")
                || tokens.isWord(i, "insert") || tokens.isWord(i, "update") || tokens.isWord(i, "delete")
                || tokens.isWord(i, "merge");
    }

    /** DECLARE name … CURSOR … FOR query: what the query does, since FETCH runs it. */
    private Classification declare(Tokens tokens, int verb, int to) {
        for (int i = verb + 1; i < to; i++) {
            if (tokens.isWord(i, "for") && tokens.depth(i) == tokens.depth(verb)) {
                String name = tokens.isName(verb + 1) ? tokens.name(verb + 1) : null;
                return Classification.cursor(CursorVerb.DECLARE, name, classify(tokens, i + 1, to));
            }
        }
        return Classification.of(UNKNOWN);
    }

    /** The cursor a FETCH, MOVE or CLOSE names: its last word ({@code FETCH FORWARD 10 FROM c}); null if none. */
    private static String lastName(Tokens tokens, int verb, int to) {
        int last = to - 1;
        while (last > verb && tokens.is(last, TokenType.SEMICOLON)) {
            last--;
        }
        return last > verb && tokens.isName(last) ? tokens.name(last) : null;
    }

    /**
     * EXPLAIN runs its statement only with ANALYZE ({@code EXPLAIN ANALYZE [VERBOSE] …}, {@code EXPLAIN (ANALYZE) …},
     * {@code EXPLAIN (ANALYZE true, …) …}); without it nothing runs, whatever the statement, so it is a read.
     */
    private Classification explain(Tokens tokens, int verb, int to) {
        int statement = verb + 1;
        boolean analyze = false;
        if (tokens.is(statement, TokenType.LEFT_PAREN)) {
            int close = tokens.partner(statement);
            if (close < 0) {
                return Classification.of(UNKNOWN);
            }
            analyze = explainOptionsAnalyze(tokens, statement + 1, close);
            statement = close + 1;
        } else {
            if (tokens.isWord(statement, "analyze") || tokens.isWord(statement, "analyse")) {
                analyze = true;
                statement++;
            }
            if (tokens.isWord(statement, "verbose")) {
                statement++;
            }
        }
        if (statement >= to) {
            return Classification.of(UNKNOWN);
        }
        return analyze ? classify(tokens, statement, to) : Classification.of(READ);
    }

    /**
     * Whether an option list turns ANALYZE on. PostgreSQL takes {@code false}, {@code off} and {@code 0} for off
     * (defGetBoolean); anything else after ANALYZE is on or an error, and when repeated, any "on" counts.
     */
    private static boolean explainOptionsAnalyze(Tokens tokens, int from, int close) {
        boolean analyze = false;
        for (int i = from; i < close; i++) {
            boolean optionStart = i == from || tokens.is(i - 1, TokenType.COMMA);
            if (optionStart && (tokens.isWord(i, "analyze") || tokens.isWord(i, "analyse"))) {
                analyze |= !isFalse(tokens, i + 1);
            }
        }
        return analyze;
    }

    private static boolean isFalse(Tokens tokens, int i) {
        if (tokens.isWord(i, "false") || tokens.isWord(i, "off")) {
            return true;
        }
        if (tokens.is(i, TokenType.NUMBER) || tokens.is(i, TokenType.STRING)) {
            String value = tokens.source(i);
            return value.equals("0") || value.equalsIgnoreCase("'false'") || value.equalsIgnoreCase("'off'");
        }
        return false;
    }

    /**
     * SET is session state, except {@code SET [LOCAL|SESSION] TRANSACTION …} and
     * {@code SET SESSION CHARACTERISTICS AS TRANSACTION …}, which set transaction modes.
     */
    private static Classification set(Tokens tokens, int verb, int to) {
        int i = verb + 1;
        if ((tokens.isWord(i, "local") || tokens.isWord(i, "session")) && !tokens.isWord(i + 1, "characteristics")) {
            i++;
        }
        if (tokens.isWord(i, "transaction")) {
            return Classification.transaction(TransactionVerb.SET_TRANSACTION, readOnly(tokens, i, to));
        }
        if (tokens.isWord(i, "session") && tokens.isWord(i + 1, "characteristics")) {
            return Classification.transaction(TransactionVerb.SET_SESSION_CHARACTERISTICS,
                    readOnly(tokens, i, to));
        }
        return Classification.of(SESSION);
    }

    /** READ ONLY among transaction modes; the last of READ ONLY and READ WRITE wins. */
    private static boolean readOnly(Tokens tokens, int from, int to) {
        boolean readOnly = false;
        for (int i = from; i < to; i++) {
            if (tokens.isWord(i, "read")) {
                if (tokens.isWord(i + 1, "only")) {
                    readOnly = true;
                } else if (tokens.isWord(i + 1, "write")) {
                    readOnly = false;
                }
            }
        }
        return readOnly;
    }

    private static Classification rollback(Tokens tokens, int verb, int to) {
        if (tokens.isWord(verb + 1, "prepared")) {
            return Classification.transaction(TransactionVerb.ROLLBACK_PREPARED, false);
        }
        int i = verb + 1;
        if (tokens.isWord(i, "work") || tokens.isWord(i, "transaction")) {
            i++;
        }
        if (tokens.isWord(i, "to")) {
            return Classification.transaction(TransactionVerb.ROLLBACK_TO_SAVEPOINT, false);
        }
        return Classification.transaction(
                chains(tokens, verb, to) ? TransactionVerb.ROLLBACK_AND_CHAIN : TransactionVerb.ROLLBACK, false);
    }

    /** {@code COMMIT|END|ROLLBACK|ABORT [WORK|TRANSACTION] AND CHAIN}; {@code AND NO CHAIN} is the plain end. */
    private static boolean chains(Tokens tokens, int verb, int to) {
        int i = verb + 1;
        if (tokens.isWord(i, "work") || tokens.isWord(i, "transaction")) {
            i++;
        }
        return i + 2 == to && tokens.isWord(i, "and") && tokens.isWord(i + 1, "chain");
    }

    /** PREPARE TRANSACTION 'gid' is two-phase commit; PREPARE name [(types)] AS statement is session state. */
    private Classification prepare(Tokens tokens, int verb, int to) {
        if (tokens.isWord(verb + 1, "transaction") && tokens.is(verb + 2, TokenType.STRING)) {
            return Classification.transaction(TransactionVerb.PREPARE_TRANSACTION, false);
        }
        int name = verb + 1;
        if (!tokens.isName(name)) {
            return Classification.of(UNKNOWN);
        }
        int as = name + 1;
        if (tokens.is(as, TokenType.LEFT_PAREN)) {
            as = tokens.partner(as) + 1;
        }
        if (as <= name || !tokens.isWord(as, "as") || as + 1 >= to) {
            return Classification.of(UNKNOWN);
        }
        Classification statement = classify(tokens, as + 1, to);
        return Classification.prepared(SESSION, PreparedStatementVerb.PREPARE, tokens.name(name), statement,
                List.of());
    }

    /** EXECUTE name: unknown here, since only the session knows what it prepared under that name. */
    private static Classification execute(Tokens tokens, int verb, int to) {
        int name = verb + 1;
        if (!tokens.isName(name)) {
            return Classification.of(UNKNOWN);
        }
        return Classification.prepared(UNKNOWN, PreparedStatementVerb.EXECUTE, tokens.name(name), null,
                FunctionCalls.find(tokens, name, to, -1, -1));
    }

    private static Classification deallocate(Tokens tokens, int verb) {
        int i = tokens.isWord(verb + 1, "prepare") ? verb + 2 : verb + 1;
        if (tokens.isWord(i, "all")) {
            return Classification.prepared(SESSION, PreparedStatementVerb.DEALLOCATE_ALL, null, null, List.of());
        }
        return tokens.isName(i)
                ? Classification.prepared(SESSION, PreparedStatementVerb.DEALLOCATE, tokens.name(i), null, List.of())
                : Classification.of(SESSION);
    }

    /**
     * COPY … FROM is COPY_IN, COPY … TO is COPY_OUT: the first FROM or TO outside parentheses decides (both are
     * reserved, so no table or column is named so unquoted). {@code COPY (query) TO} may run a write
     * ({@code COPY (DELETE … RETURNING *) TO STDOUT}, a volatile function): it is then as write-like as its query.
     */
    private Classification copy(Tokens tokens, int verb, int to) {
        int depth = tokens.depth(verb);
        for (int i = verb + 1; i < to; i++) {
            if (tokens.depth(i) != depth) {
                continue;
            }
            if (tokens.isWord(i, "from")) {
                return Classification.of(COPY_IN, FunctionCalls.find(tokens, verb, to, -1, -1));
            }
            if (tokens.isWord(i, "to")) {
                return copyOut(tokens, verb);
            }
        }
        return Classification.of(UNKNOWN);
    }

    private Classification copyOut(Tokens tokens, int verb) {
        int open = verb + 1;
        int close = tokens.partner(open);
        if (!tokens.is(open, TokenType.LEFT_PAREN) || close < 0) {
            return Classification.of(COPY_OUT);
        }
        Classification query = classify(tokens, open + 1, close);
        return StatementKind.mostWriteLike(COPY_OUT, query.kind()) == COPY_OUT
                ? Classification.of(COPY_OUT, query.functionCalls()) : query;
    }
}
