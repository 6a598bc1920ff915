package io.exodus.proxy.sql;

import java.util.Arrays;

/**
 * Splits SQL text into tokens the way PostgreSQL's own lexer ({@code scan.l}) does, as far as classification needs:
 * comments ({@code --} and nested {@code /* … *}{@code /}) and whitespace vanish; every kind of quoting becomes one
 * token, so that nothing inside a string, a dollar quote or a quoted identifier can ever look like a keyword.
 * <p>
 * One pass, no regular expressions, no backtracking beyond a dollar-quote delimiter; the only allocations are the
 * {@link Tokens} array and a small stack of open parentheses. It never throws: an unterminated string or quoted
 * identifier runs to the end of the text, an unterminated comment simply ends the tokens (PostgreSQL rejects such
 * text anyway, so nothing in it runs).
 * <p>
 * {@code standard_conforming_strings} decides whether a backslash escapes a quote in a plain {@code '…'}; it is on
 * by default since PostgreSQL 9.1. Lexing with the wrong setting can only make a string end earlier or later than
 * the server sees it, so a session must pass its real setting (from ParameterStatus).
 */
public final class SqlLexer {

    private final String sql;
    private final int length;
    private final boolean standardConformingStrings;
    private final Tokens tokens;
    private int[] openParens = new int[8];
    private int depth;

    private SqlLexer(String sql, boolean standardConformingStrings) {
        this.sql = sql;
        this.length = sql.length();
        this.standardConformingStrings = standardConformingStrings;
        this.tokens = new Tokens(sql);
    }

    /** Tokens of {@code sql} with {@code standard_conforming_strings = on}. */
    /**
     * Whether the text spells {@code lowerCaseWord} anywhere, in any case, quoted or not: a test to run before lexing a
     * text for a word that most texts never spell, so that those are not lexed at all.
     */
    public static boolean maySpell(String sql, String lowerCaseWord) {
        for (int at = 0; at + lowerCaseWord.length() <= sql.length(); at++) {
            if (sql.regionMatches(true, at, lowerCaseWord, 0, lowerCaseWord.length())) {
                return true;
            }
        }
        return false;
    }

    public static Tokens tokenize(String sql) {
        return tokenize(sql, true);
    }

    public static Tokens tokenize(String sql, boolean standardConformingStrings) {
        SqlLexer lexer = new SqlLexer(sql, standardConformingStrings);
        int position = 0;
        while (position < lexer.length) {
            position = lexer.next(position);
        }
        return lexer.tokens;
    }

    /** Reads what starts at {@code position} and answers where the next thing starts. */
    private int next(int position) {
        char c = sql.charAt(position);
        switch (c) {
            case ' ', '\t', '\n', '\r', '\f', '\u000B':
                return position + 1;
            case '-':
                return charAt(position + 1) == '-' ? skipLineComment(position + 2) : operator(position);
            case '/':
                return charAt(position + 1) == '*' ? skipBlockComment(position + 2) : operator(position);
            case '\'':
                return string(position, position + 1, !standardConformingStrings);
            case '"':
                return quotedIdentifier(position, position + 1);
            case '$':
                return dollar(position);
            case '(':
                return openParen(position);
            case ')':
                return closeParen(position);
            case '[':
                return single(TokenType.LEFT_BRACKET, position);
            case ']':
                return single(TokenType.RIGHT_BRACKET, position);
            case ',':
                return single(TokenType.COMMA, position);
            case ';':
                return single(TokenType.SEMICOLON, position);
            case ':':
                return charAt(position + 1) == ':' ? token(TokenType.DOUBLE_COLON, position, position + 2)
                        : single(TokenType.COLON, position);
            case '.':
                if (charAt(position + 1) == '.') {
                    // "1..2" (PL/pgSQL ranges): two dots, so that the second does not start a number.
                    single(TokenType.DOT, position);
                    return single(TokenType.DOT, position + 1);
                }
                return isDigit(charAt(position + 1)) ? number(position) : single(TokenType.DOT, position);
            default:
                if (isDigit(c)) {
                    return number(position);
                }
                if (isIdentifierStart(c)) {
                    return wordOrPrefixedString(position, c);
                }
                return isOperatorChar(c) ? operator(position) : single(TokenType.OTHER, position);
        }
    }

    private int skipLineComment(int position) {
        while (position < length && sql.charAt(position) != '\n' && sql.charAt(position) != '\r') {
            position++;
        }
        return position;
    }

    /** PostgreSQL nests block comments, unlike the SQL standard: {@code /* a /* b *}{@code / still a comment *}{@code /}. */
    private int skipBlockComment(int position) {
        int nesting = 1;
        while (position < length) {
            char c = sql.charAt(position);
            if (c == '*' && charAt(position + 1) == '/') {
                position += 2;
                if (--nesting == 0) {
                    return position;
                }
            } else if (c == '/' && charAt(position + 1) == '*') {
                position += 2;
                nesting++;
            } else {
                position++;
            }
        }
        return length;
    }

    /** A quoted string from its first character (after any prefix): {@code ''} always escapes a quote. */
    private int string(int start, int position, boolean backslashEscapes) {
        while (position < length) {
            char c = sql.charAt(position);
            if (c == '\\' && backslashEscapes) {
                position += 2;
            } else if (c == '\'') {
                if (charAt(position + 1) != '\'') {
                    return token(TokenType.STRING, start, position + 1);
                }
                position += 2;
            } else {
                position++;
            }
        }
        return token(TokenType.STRING, start, length);
    }

    /** {@code B'…'} and {@code X'…'}: PostgreSQL ends them at the first quote; nothing escapes. */
    private int bitString(int start, int position) {
        int close = sql.indexOf('\'', position);
        return token(TokenType.STRING, start, close < 0 ? length : close + 1);
    }

    private int quotedIdentifier(int start, int position) {
        while (position < length) {
            if (sql.charAt(position) == '"') {
                if (charAt(position + 1) != '"') {
                    return token(TokenType.QUOTED_IDENTIFIER, start, position + 1);
                }
                position += 2;
            } else {
                position++;
            }
        }
        return token(TokenType.QUOTED_IDENTIFIER, start, length);
    }

    /** {@code $1} is a parameter; {@code $$} and {@code $tag$} open a dollar quote closed by the same delimiter. */
    private int dollar(int start) {
        int position = start + 1;
        if (isDigit(charAt(position))) {
            while (isDigit(charAt(position))) {
                position++;
            }
            return token(TokenType.PARAMETER, start, position);
        }
        if (isIdentifierStart(charAt(position))) {
            position++;
            // A tag continues like an identifier, except that it cannot contain '$'.
            while (isIdentifierStart(charAt(position)) || isDigit(charAt(position))) {
                position++;
            }
        }
        if (charAt(position) != '$') {
            return single(TokenType.OTHER, start);
        }
        int delimiterLength = position + 1 - start;
        int close = findDelimiter(start, delimiterLength, position + 1);
        return token(TokenType.STRING, start, close < 0 ? length : close + delimiterLength);
    }

    private int findDelimiter(int delimiterStart, int delimiterLength, int from) {
        for (int at = sql.indexOf('$', from); at >= 0; at = sql.indexOf('$', at + 1)) {
            if (sql.regionMatches(at, sql, delimiterStart, delimiterLength)) {
                return at;
            }
        }
        return -1;
    }

    /** Digits, an optional fraction and exponent; letters right after a number are left to the next token. */
    private int number(int start) {
        int position = digits(start);
        if (charAt(position) == '.' && charAt(position + 1) != '.') {
            position = digits(position + 1);
        }
        char e = charAt(position);
        if (e == 'e' || e == 'E') {
            int exponent = position + 1;
            if (charAt(exponent) == '+' || charAt(exponent) == '-') {
                exponent++;
            }
            if (isDigit(charAt(exponent))) {
                position = digits(exponent);
            }
        }
        return token(TokenType.NUMBER, start, position);
    }

    private int digits(int position) {
        while (isDigit(charAt(position))) {
            position++;
        }
        return position;
    }

    /**
     * A word, unless its first letters are a string prefix: {@code E'}, {@code B'}, {@code X'}, {@code N'},
     * {@code U&'} or {@code U&"}. Only at the start of a word: in {@code same'x'} the word wins, as in PostgreSQL.
     */
    private int wordOrPrefixedString(int start, char c) {
        char second = charAt(start + 1);
        if (second == '\'') {
            switch (c) {
                case 'e', 'E':
                    return string(start, start + 2, true);
                case 'b', 'B', 'x', 'X':
                    return bitString(start, start + 2);
                case 'n', 'N':
                    return string(start, start + 2, !standardConformingStrings);
                default:
                    break;
            }
        }
        if ((c == 'u' || c == 'U') && second == '&') {
            // Unicode escapes use a backslash too, but never to escape a quote.
            if (charAt(start + 2) == '\'') {
                return string(start, start + 3, false);
            }
            if (charAt(start + 2) == '"') {
                return quotedIdentifier(start, start + 3);
            }
        }
        int position = start + 1;
        while (position < length && isIdentifierPart(sql.charAt(position))) {
            position++;
        }
        return token(TokenType.WORD, start, position);
    }

    /** A run of operator characters, cut where a comment starts, as PostgreSQL cuts it. */
    private int operator(int start) {
        int position = start + 1;
        while (position < length && isOperatorChar(sql.charAt(position)) && !commentStartsAt(position)) {
            position++;
        }
        return token(TokenType.OPERATOR, start, position);
    }

    private boolean commentStartsAt(int position) {
        char c = sql.charAt(position);
        char next = charAt(position + 1);
        return (c == '-' && next == '-') || (c == '/' && next == '*');
    }

    private int openParen(int position) {
        int index = tokens.add(TokenType.LEFT_PAREN, position, position + 1, depth);
        if (depth == openParens.length) {
            openParens = Arrays.copyOf(openParens, depth * 2);
        }
        openParens[depth++] = index;
        return position + 1;
    }

    /** A closing parenthesis without an opening one stays at depth 0 and has no partner. */
    private int closeParen(int position) {
        if (depth == 0) {
            return single(TokenType.RIGHT_PAREN, position);
        }
        depth--;
        int index = tokens.add(TokenType.RIGHT_PAREN, position, position + 1, depth);
        tokens.pair(openParens[depth], index);
        return position + 1;
    }

    private int single(TokenType type, int position) {
        return token(type, position, position + 1);
    }

    private int token(TokenType type, int start, int end) {
        int clipped = Math.min(end, length);
        tokens.add(type, start, clipped, depth);
        return clipped;
    }

    /** The character at {@code position}, or 0 past the end (0 is never what a caller looks for). */
    private char charAt(int position) {
        return position < length ? sql.charAt(position) : 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** PostgreSQL takes every non-ASCII character as a letter. */
    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isOperatorChar(char c) {
        return switch (c) {
            case '+', '-', '*', '/', '<', '>', '=', '~', '!', '@', '#', '%', '^', '&', '|', '`', '?' -> true;
            default -> false;
        };
    }
}
