package io.exodus.proxy.sql;

import java.util.Arrays;
import java.util.Set;

/**
 * The tokens of one SQL text, as {@link SqlLexer} found them: positions into the text, not copies of it. Each token
 * knows its parenthesis depth and, for a parenthesis, the index of its partner, so that the classifier can jump over
 * a parenthesised part without scanning it again.
 * <p>
 * The questions rules ask while looking ahead and behind ({@link #is}, {@link #isWord}, {@link #isName},
 * {@link #depth}, {@link #partner}) answer "no" (or -1) for an index out of range instead of throwing, so that a short
 * or broken statement never makes classification fail; {@link #type}, {@link #start} and {@link #end} expect a
 * valid index.
 */
public final class Tokens {

    // One int[] for all tokens keeps a whole statement in one allocation: type, start, end, depth, partner.
    private static final int STRIDE = 5;
    private static final TokenType[] TYPES = TokenType.values();

    private final String text;
    private int[] data;
    private int size;

    Tokens(String text) {
        this.text = text;
        // Roughly one token per five characters of typical SQL; grows when needed.
        this.data = new int[STRIDE * Math.max(8, Math.min(text.length() / 5, 4096))];
    }

    int add(TokenType type, int start, int end, int depth) {
        if ((size + 1) * STRIDE > data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        int at = size * STRIDE;
        data[at] = type.ordinal();
        data[at + 1] = start;
        data[at + 2] = end;
        data[at + 3] = depth;
        data[at + 4] = -1;
        return size++;
    }

    void pair(int open, int close) {
        data[open * STRIDE + 4] = close;
        data[close * STRIDE + 4] = open;
    }

    /** The text these tokens were read from. */
    public String text() {
        return text;
    }

    public int size() {
        return size;
    }

    public TokenType type(int index) {
        return TYPES[data[index * STRIDE]];
    }

    /** Offset of the token's first character in {@link #text()}. */
    public int start(int index) {
        return data[index * STRIDE + 1];
    }

    /** Offset just past the token's last character. */
    public int end(int index) {
        return data[index * STRIDE + 2];
    }

    /** How many parentheses are open before the token; a parenthesis has the depth of what surrounds it. */
    public int depth(int index) {
        return inRange(index) ? data[index * STRIDE + 3] : -1;
    }

    /** For a parenthesis, the index of the one that matches it; -1 for an unmatched one and for other tokens. */
    public int partner(int index) {
        return inRange(index) ? data[index * STRIDE + 4] : -1;
    }

    public boolean is(int index, TokenType type) {
        return inRange(index) && data[index * STRIDE] == type.ordinal();
    }

    /** Whether the token is an unquoted word equal to the keyword; {@code lowerCaseKeyword} must be lower case. */
    public boolean isWord(int index, String lowerCaseKeyword) {
        if (!is(index, TokenType.WORD)) {
            return false;
        }
        int start = start(index);
        int length = end(index) - start;
        if (length != lowerCaseKeyword.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (asciiLowerCase(text.charAt(start + i)) != lowerCaseKeyword.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the token is an unquoted word that, folded to lower case, is one of {@code lowerCaseKeywords}. */
    public boolean isWordIn(int index, Set<String> lowerCaseKeywords) {
        return is(index, TokenType.WORD) && lowerCaseKeywords.contains(name(index));
    }

    /** Whether the token is a name: an unquoted word or a quoted identifier. */
    public boolean isName(int index) {
        return is(index, TokenType.WORD) || is(index, TokenType.QUOTED_IDENTIFIER);
    }

    /** The token exactly as written. */
    public String source(int index) {
        return text.substring(start(index), end(index));
    }

    /**
     * The name PostgreSQL sees: a word folded to lower case (ASCII letters only, as PostgreSQL does), a quoted
     * identifier without its quotes and with {@code ""} undone. Unicode escapes of {@code U&"…"} are left as written.
     */
    public String name(int index) {
        int start = start(index);
        int end = end(index);
        if (is(index, TokenType.WORD)) {
            return lowerCase(start, end);
        }
        if (is(index, TokenType.QUOTED_IDENTIFIER)) {
            int open = text.charAt(start) == '"' ? start : start + 2;
            boolean closed = end - open >= 2 && text.charAt(end - 1) == '"';
            return text.substring(open + 1, closed ? end - 1 : end).replace("\"\"", "\"");
        }
        return source(index);
    }

    private String lowerCase(int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] folded = text.substring(start, end).toCharArray();
                for (int k = i - start; k < folded.length; k++) {
                    folded[k] = asciiLowerCase(folded[k]);
                }
                return new String(folded);
            }
        }
        return text.substring(start, end);
    }

    private static char asciiLowerCase(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private boolean inRange(int index) {
        return index >= 0 && index < size;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Tokens[");
        for (int i = 0; i < size; i++) {
            out.append(i == 0 ? "" : " ").append(type(i)).append('(').append(source(i)).append(')');
        }
        return out.append(']').toString();
    }
}
