package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds the functions a statement calls: every name directly followed by {@code (}, unless the grammar says the
 * parenthesis belongs to something else. When in doubt it reports a call: a name wrongly taken for a call can only
 * make a read look like a write (if a volatile function has that name), never hide a write.
 */
final class FunctionCalls {

    /**
     * Keywords PostgreSQL never takes as a function name (reserved and type keywords) and that a {@code (} may
     * follow: {@code IN (}, {@code VALUES (}, {@code AS (}, {@code numeric(10,2)} … "varying" is the one unreserved
     * word here, for {@code character varying(10)}.
     */
    private static final Set<String> SYNTAX_BEFORE_PARENTHESIS = Set.of(
            "all", "and", "any", "array", "as", "between", "bit", "case", "cast", "char", "character", "check",
            "create", "dec", "decimal", "default", "distinct", "do", "else", "except", "exists", "fetch", "float",
            "for", "foreign", "from", "grant", "group", "having", "ilike", "in", "interval", "intersect", "into", "is",
            "join", "lateral", "like", "limit", "nchar", "not", "numeric", "offset", "on", "only", "or", "order",
            "primary", "references", "returning", "row", "select", "similar", "some", "table", "tablesample", "then",
            "time", "timestamp", "to", "union", "unique", "using", "values", "varchar", "varying", "when", "where",
            "window", "with");

    /**
     * Words after which a name followed by {@code (} is a relation, a type, an alias or a prepared statement with its
     * column or argument list, not a call: {@code INSERT INTO t (a)}, {@code CREATE TABLE t (…)}, {@code COPY t (a)},
     * {@code WITH x (a) AS}, {@code EXECUTE p (1)}, {@code CAST(x AS numeric(10,2))}, {@code f() AS g(a)} …
     */
    private static final Set<String> NOT_A_CALL_AFTER = Set.of(
            "aggregate", "as", "copy", "execute", "function", "into", "prepare", "procedure", "recursive",
            "references", "routine", "table", "with");

    private FunctionCalls() {
    }

    /**
     * The calls in tokens {@code [from, to)}, where {@code from} is the statement's first word (never a call).
     * Names at the depth of {@code cteListDepth} before {@code cteListEnd} are the names of a WITH clause's queries
     * ({@code WITH a AS (…), b (x) AS (…)}), not calls; pass -1 for both when there is no WITH clause.
     */
    static List<String> find(Tokens tokens, int from, int to, int cteListEnd, int cteListDepth) {
        List<String> calls = null;
        for (int i = from + 1; i + 1 < to; i++) {
            if (!tokens.is(i + 1, TokenType.LEFT_PAREN) || !tokens.isName(i)) {
                continue;
            }
            int first = firstPartOfQualifiedName(tokens, i, from);
            if (first == from || isNotACall(tokens, first, i)
                    || (first < cteListEnd && tokens.depth(first) == cteListDepth)) {
                continue;
            }
            String call = qualifiedName(tokens, first, i);
            if (calls == null) {
                calls = new ArrayList<>(4);
            }
            if (!calls.contains(call)) {
                calls.add(call);
            }
        }
        return calls == null ? List.of() : calls;
    }

    /** Walks back over {@code schema.} (and {@code database.}) in front of a function name. */
    private static int firstPartOfQualifiedName(Tokens tokens, int last, int from) {
        int first = last;
        while (first - 2 >= from && tokens.is(first - 1, TokenType.DOT) && tokens.isName(first - 2)) {
            first -= 2;
        }
        return first;
    }

    private static boolean isNotACall(Tokens tokens, int first, int last) {
        if (first == last && tokens.is(first, TokenType.WORD)
                && SYNTAX_BEFORE_PARENTHESIS.contains(tokens.name(first))) {
            return true;
        }
        int before = first - 1;
        // ") g(a)" is an alias with column names (generate_series(1, 3) g(i), (select …) s(a)), and "::t(" a type.
        if (tokens.is(before, TokenType.RIGHT_PAREN) || tokens.is(before, TokenType.DOUBLE_COLON)) {
            return true;
        }
        return tokens.is(before, TokenType.WORD) && NOT_A_CALL_AFTER.contains(tokens.name(before));
    }

    private static String qualifiedName(Tokens tokens, int first, int last) {
        if (first == last) {
            return tokens.name(first);
        }
        StringBuilder name = new StringBuilder(tokens.name(first));
        for (int part = first + 2; part <= last; part += 2) {
            name.append('.').append(tokens.name(part));
        }
        return name.toString();
    }
}
