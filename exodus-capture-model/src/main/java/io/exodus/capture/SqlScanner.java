package io.exodus.capture;

import java.util.Set;

/**
 * Splits SQL text into {@link SqlTokens} as PostgreSQL's lexer ({@code scan.l}) would, as far as finding literals
 * needs: comments and whitespace vanish, and every kind of quoting is one token, so that nothing inside a string, a
 * dollar quote or a quoted identifier is ever mistaken for a literal or a keyword.
 * <p>
 * It never throws: an unterminated string, quote or comment runs to the end of the text (PostgreSQL rejects such text,
 * so it never ran). Backslashes escape quotes only in {@code E'…'} strings: {@code standard_conforming_strings} is on
 * by default since PostgreSQL 9.1, and a capture tap has no cheaper way to know a session's setting.
 */
public final class SqlScanner {

    /**
     * Words after which a minus starts a value rather than subtracting from one: {@code SELECT -1}, {@code LIMIT -1}.
     * After any other word (an identifier) the minus is binary, as in {@code balance - 5}.
     */
    private static final Set<String> WORDS_BEFORE_A_VALUE = Set.of("select", "where", "and", "or", "not", "when",
            "then", "else", "by", "limit", "offset", "in", "between", "like", "ilike", "is", "case", "return",
            "values", "set", "having", "on", "any", "all", "some", "array", "distinct", "default");
    private static final String OPERATOR_CHARACTERS = "+-*/<>=~!@#%^&|`?";
    // scan.l: an operator ending in + or - loses that ending unless it contains one of these (so "=-5" is = and -5).
    private static final String KEEPS_TRAILING_SIGN = "~!@#^&|`?%";

    private final String sql;
    private final int length;
    private final SqlTokens tokens;

    private SqlScanner(String sql) {
        this.sql = sql;
        this.length = sql.length();
        this.tokens = new SqlTokens(sql);
    }

    public static SqlTokens scan(String sql) {
        SqlScanner scanner = new SqlScanner(sql);
        int position = 0;
        while (position < scanner.length) {
            position = scanner.next(position);
        }
        scanner.foldUnaryMinus();
        return scanner.tokens;
    }

    /** Reads what starts at {@code position} and answers where the next thing starts. */
    private int next(int position) {
        char c = sql.charAt(position);
        if (Character.isWhitespace(c)) {
            return position + 1;
        }
        if (c == '-' && charAt(position + 1) == '-') {
            return lineEnd(position);
        }
        if (c == '/' && charAt(position + 1) == '*') {
            return commentEnd(position + 2);
        }
        if (c == '\'') {
            return add(TokenKind.CONSTANT, position, stringEnd(position + 1, false));
        }
        if (c == '"') {
            return add(TokenKind.QUOTED_IDENTIFIER, position, quotedIdentifierEnd(position + 1));
        }
        if (c == '$') {
            return dollar(position);
        }
        if (isDigit(c) || (c == '.' && isDigit(charAt(position + 1)))) {
            return add(TokenKind.CONSTANT, position, numberEnd(position));
        }
        if (isIdentifierStart(c)) {
            return wordOrPrefixedString(position);
        }
        if (OPERATOR_CHARACTERS.indexOf(c) >= 0) {
            return add(TokenKind.SYMBOL, position, operatorEnd(position));
        }
        if (c == ':' && charAt(position + 1) == ':') {
            return add(TokenKind.SYMBOL, position, position + 2);
        }
        return add(TokenKind.SYMBOL, position, position + 1);
    }

    private int add(TokenKind kind, int start, int end) {
        tokens.add(kind, start, end);
        return end;
    }

    /** A word, unless it is the prefix of a string: E'…', B'…', X'…', N'…', U&'…', or U&"…" (an identifier). */
    private int wordOrPrefixedString(int position) {
        char c = Character.toLowerCase(sql.charAt(position));
        char after = charAt(position + 1);
        if (after == '\'' && (c == 'e' || c == 'b' || c == 'x' || c == 'n')) {
            return add(TokenKind.CONSTANT, position, stringEnd(position + 2, c == 'e'));
        }
        if (c == 'u' && after == '&' && charAt(position + 2) == '\'') {
            return add(TokenKind.CONSTANT, position, stringEnd(position + 3, false));
        }
        if (c == 'u' && after == '&' && charAt(position + 2) == '"') {
            return add(TokenKind.QUOTED_IDENTIFIER, position, quotedIdentifierEnd(position + 3));
        }
        int end = position + 1;
        while (end < length && isIdentifierPart(sql.charAt(end))) {
            end++;
        }
        boolean isBoolean = sql.regionMatches(true, position, "true", 0, end - position) && end - position == 4
                || sql.regionMatches(true, position, "false", 0, end - position) && end - position == 5;
        return add(isBoolean ? TokenKind.CONSTANT : TokenKind.WORD, position, end);
    }

    /** {@code $1} is a parameter; {@code $tag$…$tag$} and {@code $$…$$} are strings; a lone {@code $} a symbol. */
    private int dollar(int position) {
        int end = position + 1;
        if (isDigit(charAt(end))) {
            while (isDigit(charAt(end))) {
                end++;
            }
            return add(TokenKind.PARAMETER, position, end);
        }
        if (isIdentifierStart(charAt(end))) {
            while (isIdentifierStart(charAt(end)) || isDigit(charAt(end))) {
                end++;
            }
        }
        if (charAt(end) != '$') {
            return add(TokenKind.SYMBOL, position, position + 1);
        }
        String delimiter = sql.substring(position, end + 1);
        int close = sql.indexOf(delimiter, end + 1);
        return add(TokenKind.CONSTANT, position, close < 0 ? length : close + delimiter.length());
    }

    private int stringEnd(int position, boolean backslashEscapes) {
        return quotedEnd(position, '\'', backslashEscapes);
    }

    private int quotedIdentifierEnd(int position) {
        return quotedEnd(position, '"', false);
    }

    /** Where a quoted run that started before {@code position} ends: after its closing quote; a doubled quote is one. */
    private int quotedEnd(int position, char quote, boolean backslashEscapes) {
        int i = position;
        while (i < length) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (charAt(i + 1) != quote) {
                    return i + 1;
                }
                i += 2;
            } else {
                i++;
            }
        }
        return length;
    }

    /** Decimal, with fraction and exponent; 0x/0o/0b integers and underscores between digits (PostgreSQL 16). */
    private int numberEnd(int position) {
        int i = position;
        if (sql.charAt(i) == '0' && "xXoObB".indexOf(charAt(i + 1)) >= 0 && isAlphanumeric(charAt(i + 2))) {
            i += 2;
            while (isAlphanumeric(charAt(i)) || charAt(i) == '_') {
                i++;
            }
            return i;
        }
        while (isDigit(charAt(i)) || charAt(i) == '_') {
            i++;
        }
        if (charAt(i) == '.' && charAt(i + 1) != '.') {
            i++;
            while (isDigit(charAt(i)) || charAt(i) == '_') {
                i++;
            }
        }
        if ((charAt(i) == 'e' || charAt(i) == 'E')
                && (isDigit(charAt(i + 1)) || (charAt(i + 1) == '+' || charAt(i + 1) == '-') && isDigit(charAt(i + 2)))) {
            i += 2;
            while (isDigit(charAt(i))) {
                i++;
            }
        }
        return i;
    }

    private int operatorEnd(int position) {
        int end = position;
        while (end < length && OPERATOR_CHARACTERS.indexOf(sql.charAt(end)) >= 0) {
            // A comment start ends the operator, as in scan.l.
            if (end > position && (sql.startsWith("--", end) || sql.startsWith("/*", end))) {
                break;
            }
            end++;
        }
        boolean keepsSign = false;
        for (int i = position; i < end; i++) {
            keepsSign |= KEEPS_TRAILING_SIGN.indexOf(sql.charAt(i)) >= 0;
        }
        while (!keepsSign && end - position > 1 && (sql.charAt(end - 1) == '+' || sql.charAt(end - 1) == '-')) {
            end--;
        }
        return end;
    }

    private int lineEnd(int position) {
        int newline = sql.indexOf('\n', position);
        return newline < 0 ? length : newline + 1;
    }

    /** Block comments nest in PostgreSQL. */
    private int commentEnd(int position) {
        int depth = 1;
        int i = position;
        while (i < length && depth > 0) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
            } else {
                i++;
            }
        }
        return i;
    }

    /** A minus that starts a value belongs to the number after it, as PostgreSQL's grammar folds it into the constant. */
    private void foldUnaryMinus() {
        for (int i = tokens.count() - 2; i >= 0; i--) {
            if (tokens.isSymbol(i, "-") && tokens.kind(i + 1) == TokenKind.CONSTANT && isDigitOrDot(i + 1)
                    && startsAValue(i)) {
                tokens.mergeWithNext(i, TokenKind.CONSTANT);
            }
        }
    }

    private boolean isDigitOrDot(int token) {
        char first = sql.charAt(tokens.start(token));
        return isDigit(first) || first == '.';
    }

    private boolean startsAValue(int minus) {
        if (minus == 0) {
            return true;
        }
        int before = minus - 1;
        return switch (tokens.kind(before)) {
            case CONSTANT, PARAMETER, QUOTED_IDENTIFIER -> false;
            case WORD -> WORDS_BEFORE_A_VALUE.contains(tokens.folded(before));
            case SYMBOL -> !tokens.isSymbol(before, ")") && !tokens.isSymbol(before, "]");
        };
    }

    private char charAt(int index) {
        return index < length ? sql.charAt(index) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlphanumeric(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }
}
