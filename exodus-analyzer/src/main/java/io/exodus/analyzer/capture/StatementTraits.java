package io.exodus.analyzer.capture;

import io.exodus.capture.SqlScanner;
import io.exodus.capture.SqlTokens;
import io.exodus.capture.TokenKind;

import java.util.Set;
import java.util.TreeSet;

/**
 * What the analyzer keeps about a statement shape beyond its text, computed once per fingerprint when it is first
 * stored: its session behaviour and the functions it calls (which the profile matches against the source's catalog
 * to find the volatile ones).
 *
 * @param functions names called in the text, lower case, without schema; a word followed by "(" that is not one of
 *                  the keywords that take parentheses
 */
public record StatementTraits(Set<SessionFeature> features, Set<String> functions) {

    // Words that a parenthesis follows without being a function call.
    private static final Set<String> NOT_FUNCTIONS = Set.of("in", "values", "exists", "any", "all", "some", "array",
            "as", "over", "filter", "within", "using", "on", "from", "into", "table", "index", "key", "references",
            "unique", "check", "primary", "foreign", "with", "select", "where", "and", "or", "not", "then", "else",
            "when", "by", "row", "cast", "lateral", "default", "returning", "set", "update", "insert", "delete",
            "conflict", "do", "partition", "include", "window", "rows", "range", "groups", "cube", "rollup", "sets",
            "grouping", "case", "is", "like", "between", "limit", "offset", "fetch", "join", "union", "intersect",
            "except", "recursive", "materialized", "view", "type", "sequence", "function", "procedure", "trigger",
            "numeric", "decimal", "varchar", "char", "character", "varying", "timestamp", "time", "interval", "bit",
            "float", "zone", "for", "of", "to", "copy", "execute", "prepare", "explain", "analyze", "vacuum");

    /**
     * Words after which a name and a parenthesis are a relation and its column list, not a call:
     * {@code INSERT INTO t (a)}, {@code CREATE TABLE IF NOT EXISTS t (a)}, {@code ON t (a)}, {@code AS x (a)}.
     */
    private static final Set<String> BEFORE_A_RELATION = Set.of("into", "table", "exists", "on", "references", "as",
            "with");

    public static StatementTraits of(String text) {
        SqlTokens tokens = SqlScanner.scan(text);
        Set<String> functions = new TreeSet<>();
        for (int i = 0; i < tokens.count() - 1; i++) {
            if (tokens.kind(i) == TokenKind.WORD && tokens.isSymbol(i + 1, "(")
                    && !NOT_FUNCTIONS.contains(tokens.folded(i)) && !namesARelation(tokens, i)) {
                functions.add(tokens.folded(i));
            }
        }
        return new StatementTraits(SessionFeature.of(tokens), functions);
    }

    private static boolean namesARelation(SqlTokens tokens, int name) {
        int before = name - 1;
        // Skip a qualifier: INTO app.t (a)
        while (before >= 1 && tokens.isSymbol(before, ".")) {
            before -= 2;
        }
        return before >= 0 && tokens.kind(before) == TokenKind.WORD && BEFORE_A_RELATION.contains(tokens.folded(before));
    }
}
