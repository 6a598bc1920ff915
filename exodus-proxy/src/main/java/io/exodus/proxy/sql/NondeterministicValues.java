package io.exodus.proxy.sql;

import java.util.Locale;
import java.util.Set;

/**
 * Whether a statement computes values that can differ between two databases running it: the clock
 * ({@code now()}, {@code CURRENT_TIMESTAMP} …), randomness ({@code random()}, {@code gen_random_uuid()}), sequences
 * ({@code nextval}) and large-object OIDs ({@code lo_creat}). Dual-write gives an INSERT the primary's values through a
 * row image; any other statement with such values is logged and counted, so that its table gets verified.
 */
public final class NondeterministicValues {
    private static final Set<String> FUNCTIONS = Set.of("now", "clock_timestamp", "statement_timestamp",
            "transaction_timestamp", "timeofday", "random", "random_normal", "gen_random_uuid", "uuid_generate_v1",
            "uuid_generate_v1mc", "uuid_generate_v4", "nextval", "txid_current", "pg_current_xact_id", "inet_client_addr",
            "pg_backend_pid", "lo_creat", "lo_create", "lo_import", "lo_from_bytea");
    private static final Set<String> CLOCK_WORDS = Set.of("now", "today", "tomorrow", "yesterday");
    private static final Set<String> KEYWORDS = Set.of("current_timestamp", "current_date", "current_time", "localtime",
            "localtimestamp");
    private static final Set<String> SERIALS = Set.of("smallserial", "serial", "bigserial", "serial2", "serial4",
            "serial8");
    /** What may follow ADD in ALTER TABLE other than a column: a table constraint, or an identity of a column. */
    private static final Set<String> NOT_A_COLUMN = Set.of("constraint", "primary", "unique", "check", "foreign",
            "exclude", "generated");

    private NondeterministicValues() {
    }

    /**
     * Whether the statement inserts rows ({@code INSERT}, also inside {@code WITH} or after another statement): run as
     * its text on a second database, the columns it leaves to their defaults ({@code bigserial}, identity, {@code
     * now()}, {@code gen_random_uuid()}) draw values of their own there.
     */
    public static boolean inserts(String sql) {
        if (!sql.toLowerCase(Locale.ROOT).contains("insert")) {
            return false;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.isWord(i, "insert") && !tokens.is(i - 1, TokenType.DOT) && !tokens.isWord(i - 1, "as")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first such function or keyword the statement uses, or null when it uses none. An UPDATE that sets a column
     * to {@code DEFAULT} counts too: the default (an identity, a {@code serial}, {@code now()}) is drawn again on each
     * database, and nothing in the text says which columns have such a default.
     */
    public static String firstIn(String sql, Classification classification) {
        for (String call : classification.functionCalls()) {
            String name = call.substring(call.lastIndexOf('.') + 1);
            if (FUNCTIONS.contains(name)) {
                return name + "()";
            }
        }
        String lower = sql.toLowerCase(Locale.ROOT);
        if (lower.contains("update") && lower.contains("default") && setsDefault(sql)) {
            return "SET … = DEFAULT";
        }
        if (lower.contains("alter") && (lower.contains("serial") || lower.contains("identity"))) {
            String added = addedDrawingColumn(sql);
            if (added != null) {
                return added;
            }
        }
        if (lower.contains("now") || lower.contains("today") || lower.contains("tomorrow")
                || lower.contains("yesterday")) {
            String literal = clockLiteral(sql);
            if (literal != null) {
                return literal;
            }
        }
        if (!lower.contains("current_") && !lower.contains("localtime")) {
            return null;
        }
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.WORD)) {
                String word = sql.substring(tokens.start(i), tokens.end(i)).toLowerCase(Locale.ROOT);
                if (KEYWORDS.contains(word)) {
                    return word.toUpperCase(Locale.ROOT);
                }
            }
        }
        return null;
    }

    /**
     * A string constant that a date or time type reads as the clock: {@code 'now'::timestamp}, {@code date 'today'}
     * ({@code 'tomorrow'}, {@code 'yesterday'} too; case and surrounding spaces do not matter to the input functions).
     * The regression suite's {@code CREATE TABLE tab_core_types AS SELECT 'now'::time, …} left other times on the target.
     * A text column set to such a word only gets a row image it does not need.
     */
    private static String clockLiteral(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.STRING)) {
                String source = sql.substring(tokens.start(i), tokens.end(i));
                if (source.length() >= 2 && source.charAt(0) == '\'') {
                    String value = source.substring(1, source.length() - 1).strip().toLowerCase(Locale.ROOT);
                    if (CLOCK_WORDS.contains(value)) {
                        return "'" + value + "'";
                    }
                }
            }
        }
        return null;
    }

    /**
     * A column that {@code ALTER TABLE … ADD [COLUMN]} gives a {@code serial} type or an identity: each database
     * numbers the table's existing rows in its own physical order, which the same rows need not share on the two (a
     * table loaded by the initial sync, rows moved by updates and vacuums). Not {@code ALTER COLUMN … ADD GENERATED … AS
     * IDENTITY}, which keeps the values a column has.
     */
    private static String addedDrawingColumn(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        if (!tokens.isWord(0, "alter") || !tokens.isWord(1, "table")) {
            return null;
        }
        int depth = 0;
        for (int i = 2; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.LEFT_PAREN)) {
                depth++;
            } else if (tokens.is(i, TokenType.RIGHT_PAREN)) {
                depth--;
            } else if (depth == 0 && tokens.isWord(i, "add") && !tokens.isWordIn(i + 1, NOT_A_COLUMN)) {
                String drawn = drawnByColumn(sql, tokens, i + 1);
                if (drawn != null) {
                    return "ADD COLUMN … " + drawn;
                }
            }
        }
        return null;
    }

    /**
     * The serial type or identity of the column definition that starts at {@code from} ({@code [COLUMN] [IF NOT EXISTS]
     * name type …}), or null.
     */
    private static String drawnByColumn(String sql, Tokens tokens, int from) {
        int at = from;
        if (tokens.isWord(at, "column")) {
            at++;
        }
        if (tokens.isWord(at, "if") && tokens.isWord(at + 1, "not") && tokens.isWord(at + 2, "exists")) {
            at += 3;
        }
        int type = at + 1;
        if (tokens.isWordIn(type, SERIALS) && !tokens.is(type + 1, TokenType.DOT)) {
            return sql.substring(tokens.start(type), tokens.end(type)).toLowerCase(Locale.ROOT);
        }
        int depth = 0;
        boolean generated = false;
        for (int i = type; i < tokens.size(); i++) {
            if (tokens.is(i, TokenType.LEFT_PAREN)) {
                depth++;
            } else if (tokens.is(i, TokenType.RIGHT_PAREN)) {
                depth--;
            } else if (depth == 0 && (tokens.is(i, TokenType.COMMA) || tokens.is(i, TokenType.SEMICOLON))) {
                return null;
            } else if (depth == 0) {
                generated |= tokens.isWord(i, "generated");
                if (generated && tokens.isWord(i, "identity")) {
                    return "GENERATED AS IDENTITY";
                }
            }
        }
        return null;
    }


    /** {@code = DEFAULT}, or {@code DEFAULT} in a {@code SET (a, b) = (…)} list, in a statement that updates. */
    private static boolean setsDefault(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        boolean updates = false;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.isWord(i, "update") && !tokens.is(i - 1, TokenType.DOT)) {
                updates = true;
            } else if (updates && tokens.isWord(i, "default") && (tokens.is(i - 1, TokenType.OPERATOR)
                    && sql.substring(tokens.start(i - 1), tokens.end(i - 1)).equals("=")
                    || tokens.is(i - 1, TokenType.LEFT_PAREN) || tokens.is(i - 1, TokenType.COMMA))) {
                return true;
            }
        }
        return false;
    }
}
