package io.exodus.proxy.sql;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What decides which rows an UPDATE or DELETE changes, and the values it gives them, besides those rows themselves:
 * locks other transactions hold, the rows' physical order, chance, other rows it reads. Dual-write runs such a
 * statement on the target later than on the source (with its transaction's COMMIT), where the same rows are stored in
 * another order and other sessions hold other locks and have changed other rows: run as its text there, it changed
 * other rows or gave other values, with the same row count. Such a statement gets a row image instead
 * ({@link RowImageReturning}, docs/adr/0055).
 */
public final class PickedRows {
    /** Aggregates whose result is in the order their rows come, which only an ORDER BY in the call fixes. */
    /**
     * Words of procedural code that read tables, or may (dynamic SQL), as regular-expression alternatives: the same
     * for a DO block's code here and a function's body in the catalog ({@link FunctionVolatility}).
     */
    static final String READING_WORDS = "select|perform|execute";
    private static final Pattern READING_CODE = Pattern.compile("\\b(" + READING_WORDS + ")\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> ORDERED_AGGREGATES = Set.of("array_agg", "string_agg", "json_agg", "jsonb_agg",
            "json_object_agg", "jsonb_object_agg", "xmlagg");

    private PickedRows() {
    }

    /**
     * Why what the statement changes depends on more than the rows it changes ({@link #choice}, then {@link
     * #readsOtherRows}), as a divergence gives it; null when nothing does, and for a write to the system catalog,
     * whose text the target runs ({@link #changesCatalog}).
     */
    public static String why(String sql) {
        String choice = choice(sql);
        if (choice != null) {
            return changesCatalog(sql) ? null : choice + " (which rows it picks)";
        }
        String reads = readsOtherRows(sql);
        return reads == null || changesCatalog(sql) ? null : reads + " (rows as they are when it runs)";
    }

    /**
     * What makes the rows a statement picks depend on more than the rows themselves, so that two databases holding the
     * same rows can pick different ones, with the same count; null when nothing does. {@code FOR UPDATE SKIP LOCKED}
     * (a job queue's claim: which rows other transactions hold locked at that moment, which differs on the target,
     * where each transaction's statements arrive with its COMMIT); {@code LIMIT}, {@code FETCH FIRST} or {@code
     * OFFSET} (the rows' physical order, and ties of an ORDER BY, which the same rows need not share); {@code
     * TABLESAMPLE}; {@code ctid} (a physical address); an aggregate that lists its rows in the order they come
     * ({@code string_agg}, {@code array_agg}, {@code json_agg} …) without an ORDER BY of its own. Dual-write gives an
     * UPDATE or DELETE that picks rows so a row image (the primary's rows, found by key on the secondary) and does not
     * run an INSERT's SELECT again there.
     */
    static String choice(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        if (!lower.contains("locked") && !lower.contains("limit") && !lower.contains("fetch")
                && !lower.contains("offset") && !lower.contains("tablesample") && !lower.contains("ctid")
                && !lower.contains("_agg") && !lower.contains("xmlagg")) {
            return null;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.isWordIn(i, ORDERED_AGGREGATES) && tokens.is(i + 1, TokenType.LEFT_PAREN)
                    && !tokens.is(i - 1, TokenType.DOT) && !ordersItsRows(tokens, i + 1)) {
                return sql.substring(tokens.start(i), tokens.end(i)).toLowerCase(Locale.ROOT)
                        + "() without ORDER BY";
            }
            if (tokens.isWord(i, "skip") && tokens.isWord(i + 1, "locked")) {
                return "FOR UPDATE SKIP LOCKED";
            }
            if (tokens.isWord(i, "limit") || tokens.isWord(i, "offset") || tokens.isWord(i, "tablesample")) {
                return sql.substring(tokens.start(i), tokens.end(i)).toUpperCase(Locale.ROOT);
            }
            if (tokens.isWord(i, "fetch") && (tokens.isWord(i + 1, "first") || tokens.isWord(i + 1, "next"))) {
                return "FETCH FIRST";
            }
            if (tokens.isWord(i, "ctid")) {
                return "ctid";
            }
        }
        return null;
    }

    /**
     * What makes an UPDATE or DELETE read rows it does not change, or null: a subquery, {@code UPDATE … FROM}, {@code
     * DELETE … USING}; and a MERGE, whose source is such rows (it has no row image: it runs as its text, listed). It
     * sees those rows as they are when it runs, and on the target it runs later (with its transaction's COMMIT, ADR
     * 0051), when another session may have changed them: an order's total summed from its items took an item the
     * source's sum had not seen, with the same row count. Such a statement's rows are copied.
     */
    static String readsOtherRows(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        if (!lower.contains("select") && !lower.contains("from") && !lower.contains("using")
                && !lower.contains("merge") && !lower.contains("perform") && !lower.contains("execute")) {
            return null;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        int first = 0;
        while (tokens.is(first, TokenType.LEFT_PAREN)) {
            first++;
        }
        boolean update = tokens.isWord(first, "update");
        boolean delete = tokens.isWord(first, "delete");
        if (tokens.isWord(first, "merge")) {
            return "MERGE … USING";
        }
        if (tokens.isWord(first, "do")) {
            return blockReadsTables(tokens, first) ? "a DO block that reads tables" : null;
        }
        if (!update && !delete) {
            return null;
        }
        for (int i = first + 1; i < tokens.size(); i++) {
            if (tokens.isWord(i, "select") && !tokens.is(i - 1, TokenType.DOT)) {
                return "a subquery";
            }
            if (update && tokens.depth(i) == 0 && tokens.isWord(i, "from") && !tokens.is(i - 1, TokenType.DOT)
                    && !tokens.isWord(i - 1, "distinct")) {
                return "UPDATE … FROM";
            }
            if (delete && tokens.depth(i) == 0 && tokens.isWord(i, "using") && !tokens.is(i - 1, TokenType.DOT)) {
                return "DELETE … USING";
            }
        }
        return null;
    }

    /** Whether the code of the DO block at {@code at} holds SELECT, PERFORM or EXECUTE (dynamic SQL). */
    private static boolean blockReadsTables(Tokens tokens, int at) {
        for (int i = at + 1; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.STRING)) {
                return READING_CODE.matcher(tokens.source(i)).find();
            }
        }
        return false;
    }

    /**
     * Whether the statement has a SELECT of its own ({@code INSERT … SELECT}, a subquery in {@code VALUES}): run again
     * as its text on the target, later, it reads the rows as they are then.
     */
    public static boolean selects(String sql) {
        if (!sql.toLowerCase(Locale.ROOT).contains("select")) {
            return false;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.isWord(i, "select") && !tokens.is(i - 1, TokenType.DOT)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an UPDATE or DELETE changes a table of the system catalog ({@code pg_depend}, {@code pg_catalog.…}). Its
     * rows name objects by OIDs each server assigns itself: the source's rows are not the target's, so the target runs
     * the text, which finds its own (the regression suite's rangefuncs deletes a view's dependency from pg_depend).
     */
    public static boolean changesCatalog(String sql) {
        if (!sql.toLowerCase(Locale.ROOT).contains("pg_")) {
            return false;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        int at = 0;
        while (tokens.is(at, TokenType.LEFT_PAREN)) {
            at++;
        }
        if (tokens.isWord(at, "delete") && tokens.isWord(at + 1, "from")) {
            at += 2;
        } else if (tokens.isWord(at, "update")) {
            at++;
        } else {
            return false;
        }
        if (tokens.isWord(at, "only")) {
            at++;
        }
        return tokens.isName(at) && (tokens.name(at).startsWith("pg_")
                || tokens.is(at + 1, TokenType.DOT) && tokens.name(at).equals("pg_catalog"));
    }

    /** Whether the call whose parenthesis opens at {@code open} has an ORDER BY of its own, directly inside. */
    private static boolean ordersItsRows(Tokens tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.LEFT_PAREN)) {
                depth++;
            } else if (tokens.is(i, TokenType.RIGHT_PAREN)) {
                if (--depth == 0) {
                    return false;
                }
            } else if (depth == 1 && tokens.isWord(i, "order") && tokens.isWord(i + 1, "by")) {
                return true;
            }
        }
        return false;
    }

}
