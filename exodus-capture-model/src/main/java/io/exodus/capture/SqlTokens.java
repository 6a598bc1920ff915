package io.exodus.capture;

import java.util.Arrays;
import java.util.Locale;

/**
 * The tokens of one SQL text, in order, as spans of that text: what {@link SqlScanner} found, comments and whitespace
 * left out. Kept as parallel arrays rather than an object per token, because the proxy's capture tap builds one for
 * every statement it samples.
 */
public final class SqlTokens {
    private static final TokenKind[] KINDS = TokenKind.values();

    private final String sql;
    private byte[] kinds = new byte[16];
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private int count;

    SqlTokens(String sql) {
        this.sql = sql;
    }

    void add(TokenKind kind, int start, int end) {
        if (count == kinds.length) {
            kinds = Arrays.copyOf(kinds, count * 2);
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
        }
        kinds[count] = (byte) kind.ordinal();
        starts[count] = start;
        ends[count] = end;
        count++;
    }

    /** Merges the token at {@code index} into the one after it (a unary minus into its number). */
    void mergeWithNext(int index, TokenKind kind) {
        kinds[index] = (byte) kind.ordinal();
        ends[index] = ends[index + 1];
        System.arraycopy(kinds, index + 2, kinds, index + 1, count - index - 2);
        System.arraycopy(starts, index + 2, starts, index + 1, count - index - 2);
        System.arraycopy(ends, index + 2, ends, index + 1, count - index - 2);
        count--;
    }

    public String sql() {
        return sql;
    }

    public int count() {
        return count;
    }

    public TokenKind kind(int index) {
        return KINDS[kinds[index]];
    }

    public int start(int index) {
        return starts[index];
    }

    public int end(int index) {
        return ends[index];
    }

    /** The token's text as written. */
    public String text(int index) {
        return sql.substring(starts[index], ends[index]);
    }

    /** Whether the token is the unquoted word {@code word} in any case. */
    public boolean isWord(int index, String word) {
        return index >= 0 && index < count && kind(index) == TokenKind.WORD
                && sql.regionMatches(true, starts[index], word, 0, word.length())
                && ends[index] - starts[index] == word.length();
    }

    /** Whether the token is exactly this symbol, such as {@code "("}. */
    public boolean isSymbol(int index, String symbol) {
        return index >= 0 && index < count && kind(index) == TokenKind.SYMBOL
                && sql.startsWith(symbol, starts[index]) && ends[index] - starts[index] == symbol.length();
    }

    /** A word in lower case, as PostgreSQL folds it; other tokens as written. */
    public String folded(int index) {
        return kind(index) == TokenKind.WORD ? text(index).toLowerCase(Locale.ROOT) : text(index);
    }
}
