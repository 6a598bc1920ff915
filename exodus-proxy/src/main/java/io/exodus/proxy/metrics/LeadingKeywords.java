package io.exodus.proxy.metrics;

import io.exodus.proxy.sql.LeadingWords;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the first keyword of each statement in the first bytes of an SQL text, for {@link StatementClass#of}:
 * <ul>
 * <li>Before a keyword, whitespace, {@code --} comments, nested {@code /* … *}{@code /} comments and opening
 * parentheses ({@code (SELECT 1) UNION …}) are skipped.</li>
 * <li>The keyword is matched without regard to case against the statement kinds of {@link LeadingWords}, the
 * keyword table dual-write's classifier reads too. PREPARE looks at
 * its next word: {@code PREPARE TRANSACTION} is transaction control, {@code PREPARE name AS …} session state. WITH is
 * a read unless a word of its statement, within the range, is INSERT, UPDATE, DELETE or MERGE ({@code WITH moved AS
 * (DELETE …) …}, {@code WITH … INSERT INTO …}): then a write. Nothing else past the keyword is looked at, so
 * {@code SELECT … FOR UPDATE} is a read and {@code EXPLAIN ANALYZE DELETE …} too.</li>
 * <li>Statements are split at semicolons. String constants ({@code '…'}, with backslash escapes in {@code E'…'}),
 * quoted identifiers, dollar quotes and comments are skipped whole: a semicolon or a word inside them counts for
 * nothing.</li>
 * <li>The text ends at a zero byte (a Query's or Parse's text is zero-terminated) or at the end of the range. A
 * keyword that runs into the end of the range may have been cut, as the range is often only the text's start: it is
 * not recognised, and nor is any statement that starts later.</li>
 * </ul>
 * Each byte is read by absolute index, a few times at most; nothing is allocated.
 */
final class LeadingKeywords {
    /** Keywords by their first letter (index 0 for A): each keyword, and the class at the same index. */
    private static final String[][] KEYWORDS = new String[26][];
    private static final StatementClass[][] CLASSES = new StatementClass[26][];

    static {
        List<List<String>> keywords = new ArrayList<>();
        List<List<StatementClass>> classes = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            keywords.add(new ArrayList<>());
            classes.add(new ArrayList<>());
        }
        LeadingWords.all().forEach((word, kind) -> {
            int initial = word.charAt(0) - 'a';
            keywords.get(initial).add(word.toUpperCase(Locale.ROOT));
            classes.get(initial).add(StatementClass.of(kind));
        });
        for (int i = 0; i < 26; i++) {
            KEYWORDS[i] = keywords.get(i).toArray(new String[0]);
            CLASSES[i] = classes.get(i).toArray(new StatementClass[0]);
        }
    }

    private LeadingKeywords() {
    }

    /** The most write-like class of the statements that start in {@code [from, to)}; see the class comment. */
    static StatementClass classify(ByteBuf text, int from, int to) {
        StatementClass result = StatementClass.OTHER;
        int position = from;
        while (true) {
            position = skipBlanks(text, position, to, true);
            if (position >= to) {
                return result;
            }
            byte first = text.getByte(position);
            if (first == 0) {
                return result;
            }
            if (first == ';') {
                position++;
                continue;
            }
            StatementClass statement = StatementClass.OTHER;
            boolean with = false;
            if (isLetter(first)) {
                int keywordEnd = wordEnd(text, position, to);
                if (keywordEnd >= to) {
                    return result;
                }
                with = matches(text, position, keywordEnd, "WITH");
                statement = keyword(text, position, keywordEnd);
                if (statement == StatementClass.SESSION && matches(text, position, keywordEnd, "PREPARE")) {
                    statement = prepare(text, keywordEnd, to);
                }
                position = keywordEnd;
            }
            // The rest of the statement: skipped, and for WITH searched for a data-modifying word.
            while (position < to) {
                byte next = text.getByte(position);
                if (next == ';' || next == 0) {
                    break;
                }
                if (isWordByte(next) && next != '$') {
                    int end = wordEnd(text, position, to);
                    if (with && end < to && isDataModifying(text, position, end)) {
                        statement = StatementClass.WRITE;
                    }
                    position = end;
                } else {
                    position = skipToken(text, position, from, to);
                }
            }
            result = StatementClass.mostWriteLike(result, statement);
        }
    }

    private static StatementClass keyword(ByteBuf text, int start, int end) {
        int initial = (text.getByte(start) & 0xDF) - 'A';
        String[] candidates = KEYWORDS[initial];
        for (int i = 0; i < candidates.length; i++) {
            if (matches(text, start, end, candidates[i])) {
                return CLASSES[initial][i];
            }
        }
        return StatementClass.OTHER;
    }

    /** After PREPARE: transaction control if the next word is TRANSACTION, other if it may be cut, else session. */
    private static StatementClass prepare(ByteBuf text, int position, int to) {
        int start = skipBlanks(text, position, to, false);
        int end = wordEnd(text, start, to);
        if (end >= to) {
            return StatementClass.OTHER;
        }
        return matches(text, start, end, "TRANSACTION") ? StatementClass.TRANSACTION : StatementClass.SESSION;
    }

    private static boolean isDataModifying(ByteBuf text, int start, int end) {
        return switch (text.getByte(start) & 0xDF) {
            case 'I' -> matches(text, start, end, "INSERT");
            case 'U' -> matches(text, start, end, "UPDATE");
            case 'D' -> matches(text, start, end, "DELETE");
            case 'M' -> matches(text, start, end, "MERGE");
            default -> false;
        };
    }

    /** Whether {@code [start, end)} is this upper-case keyword, in any case. */
    private static boolean matches(ByteBuf text, int start, int end, String keyword) {
        if (end - start != keyword.length()) {
            return false;
        }
        for (int i = 0; i < keyword.length(); i++) {
            if ((text.getByte(start + i) | 0x20) != (keyword.charAt(i) | 0x20)) {
                return false;
            }
        }
        return true;
    }

    /** Skips whitespace and comments, and opening parentheses when {@code parentheses}. */
    private static int skipBlanks(ByteBuf text, int position, int to, boolean parentheses) {
        while (position < to) {
            byte b = text.getByte(position);
            if (isSpace(b) || (parentheses && b == '(')) {
                position++;
            } else if (b == '-' && position + 1 < to && text.getByte(position + 1) == '-') {
                position = lineEnd(text, position + 2, to);
            } else if (b == '/' && position + 1 < to && text.getByte(position + 1) == '*') {
                position = blockCommentEnd(text, position + 2, to);
            } else {
                break;
            }
        }
        return position;
    }

    /** The position after the token that starts at {@code position} and is not a word: a quote, a comment, a sign. */
    private static int skipToken(ByteBuf text, int position, int from, int to) {
        byte b = text.getByte(position);
        boolean twoBytes = position + 1 < to;
        return switch (b) {
            case '\'' -> quotedEnd(text, position + 1, to, (byte) '\'', escapeString(text, position, from));
            case '"' -> quotedEnd(text, position + 1, to, (byte) '"', false);
            case '-' -> twoBytes && text.getByte(position + 1) == '-' ? lineEnd(text, position + 2, to) : position + 1;
            case '/' -> twoBytes && text.getByte(position + 1) == '*' ? blockCommentEnd(text, position + 2, to)
                    : position + 1;
            case '$' -> dollarQuoteEnd(text, position, to);
            default -> position + 1;
        };
    }

    /** Whether the quote at {@code quote} opens an {@code E'…'} constant, where a backslash escapes the next byte. */
    private static boolean escapeString(ByteBuf text, int quote, int from) {
        if (quote - 1 < from || (text.getByte(quote - 1) | 0x20) != 'e') {
            return false;
        }
        return quote - 2 < from || !isWordByte(text.getByte(quote - 2));
    }

    /** After an opening quote: the position after its closing one (a doubled quote stands for itself). */
    private static int quotedEnd(ByteBuf text, int position, int to, byte quote, boolean backslashEscapes) {
        while (position < to) {
            byte b = text.getByte(position);
            if (backslashEscapes && b == '\\') {
                position += 2;
            } else if (b == quote) {
                if (position + 1 < to && text.getByte(position + 1) == quote) {
                    position += 2;
                } else {
                    return position + 1;
                }
            } else {
                position++;
            }
        }
        return to;
    }

    private static int lineEnd(ByteBuf text, int position, int to) {
        while (position < to) {
            byte b = text.getByte(position++);
            if (b == '\n' || b == '\r') {
                break;
            }
        }
        return position;
    }

    /** After {@code /*}: the position after the matching end; PostgreSQL's block comments nest. */
    private static int blockCommentEnd(ByteBuf text, int position, int to) {
        int depth = 1;
        while (position + 1 < to) {
            byte b = text.getByte(position);
            byte next = text.getByte(position + 1);
            if (b == '*' && next == '/') {
                position += 2;
                if (--depth == 0) {
                    return position;
                }
            } else if (b == '/' && next == '*') {
                position += 2;
                depth++;
            } else {
                position++;
            }
        }
        return to;
    }

    /**
     * At a {@code $} that starts a token: the position after the dollar-quoted string it opens ({@code $$…$$},
     * {@code $tag$…$tag$}), or after the {@code $} alone (a parameter such as {@code $1}, or a stray sign).
     */
    private static int dollarQuoteEnd(ByteBuf text, int dollar, int to) {
        int position = dollar + 1;
        if (position < to && isDigit(text.getByte(position))) {
            return position;
        }
        while (position < to && isWordByte(text.getByte(position)) && text.getByte(position) != '$') {
            position++;
        }
        if (position >= to) {
            return to;
        }
        if (text.getByte(position) != '$') {
            return dollar + 1;
        }
        int tagLength = position - dollar + 1;
        for (int close = position + 1; close + tagLength <= to; close++) {
            if (text.getByte(close) == '$' && sameBytes(text, dollar, close, tagLength)) {
                return close + tagLength;
            }
        }
        return to;
    }

    private static boolean sameBytes(ByteBuf text, int a, int b, int length) {
        for (int i = 0; i < length; i++) {
            if (text.getByte(a + i) != text.getByte(b + i)) {
                return false;
            }
        }
        return true;
    }

    private static int wordEnd(ByteBuf text, int position, int to) {
        while (position < to && isWordByte(text.getByte(position))) {
            position++;
        }
        return position;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f' || b == 0x0b;
    }

    private static boolean isLetter(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** A byte of an identifier or keyword: letters, digits, underscore, dollar, and every non-ASCII byte. */
    private static boolean isWordByte(byte b) {
        return isLetter(b) || isDigit(b) || b == '_' || b == '$' || b < 0;
    }
}
