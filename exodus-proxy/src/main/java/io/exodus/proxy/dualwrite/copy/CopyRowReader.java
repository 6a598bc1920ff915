package io.exodus.proxy.dualwrite.copy;

import io.exodus.proxy.sql.CopyFromStatement.Format;
import io.exodus.proxy.sql.CopyFromStatement;
import io.vertx.core.buffer.Buffer;

/**
 * Finds the rows in the data of a {@code COPY … FROM STDIN} as it arrives, in any piece sizes, the way PostgreSQL's
 * {@code copyfromparse.c} finds its lines: text rows end at an unescaped newline ({@code \n}, {@code \r\n} or
 * {@code \r}) and a backslash escapes the character after it; CSV rows end at a newline outside quotes (an escape
 * character differing from the quote character escapes a quote inside quotes); {@code \.} alone on a line ends the
 * data. A binary stream is its header, then tuples (a field count and each field's length and bytes), then the
 * trailer {@code -1}. Only row boundaries are found: fields are never decoded.
 */
public final class CopyRowReader {
    /** PostgreSQL's binary COPY signature, the first 11 bytes of a binary stream. */
    static final byte[] BINARY_SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0 };

    /**
     * One row.
     *
     * @param content    text and CSV: the row without its line end; binary: the fields after the field count
     * @param end        text and CSV: the line end as sent ({@code \n}, {@code \r\n}, {@code \r}, or empty for a
     *                   last line without one); binary: empty
     * @param fieldCount binary: the tuple's field count; otherwise 0
     */
    public record Row(Buffer content, Buffer end, int fieldCount) {
    }

    /** The data cannot be a COPY stream of the format (PostgreSQL would refuse it the same way). */
    public static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    private enum LineEnd { UNKNOWN, NL, CR, CRNL }

    private final Format format;
    private final int quote;
    private final int escape;
    private boolean headerToSkip;
    private Buffer pending = Buffer.buffer();
    /** Where the row being read starts in {@link #pending}. */
    private int start;
    /** How far the row being read has been scanned (text and CSV), with the quoting state there. */
    private int scanned;
    private boolean inQuote;
    private boolean lastWasEscape;
    private LineEnd lineEnd = LineEnd.UNKNOWN;
    private Buffer binaryHeader;
    private boolean ended;
    private boolean finished;

    /**
     * @param quote  the CSV quote character (ignored for other formats)
     * @param escape the CSV escape character; equal to the quote it is no escape of its own (PostgreSQL's rule)
     * @param header whether the first row is a header line, to be skipped (text and CSV)
     */
    public CopyRowReader(Format format, char quote, char escape, boolean header) {
        this.format = format;
        this.quote = quote;
        this.escape = escape == quote ? -1 : escape;
        this.headerToSkip = header && format != Format.BINARY;
    }

    /** A reader of data in the statement's format and options. */
    public static CopyRowReader of(CopyFromStatement statement, boolean header) {
        String quote = statement.stringOption("quote");
        String escape = statement.stringOption("escape");
        char q = quote == null || quote.isEmpty() ? '"' : quote.charAt(0);
        char e = escape == null || escape.isEmpty() ? q : escape.charAt(0);
        return new CopyRowReader(statement.format(), q, e, header);
    }

    /** Takes more data; what follows the end of the data ({@code \.}, the binary trailer) is ignored. */
    public void feed(Buffer data) {
        if (ended) {
            return;
        }
        if (start > 0 && start == pending.length()) {
            pending = Buffer.buffer(data.length());
            scanned -= start;
            start = 0;
        } else if (start > 64 * 1024) {
            pending = pending.getBuffer(start, pending.length());
            scanned -= start;
            start = 0;
        }
        pending.appendBuffer(data);
    }

    /** The client's data is over: a last line without a line end is a row too. */
    public void finish() {
        finished = true;
    }

    /** Whether the data ended inside it ({@code \.} or the binary trailer): the rest is not read. */
    public boolean ended() {
        return ended;
    }

    /** Whether bytes of an unfinished row (or header) are left. */
    public boolean hasPartialRow() {
        return !ended && start < pending.length();
    }

    /** The header of a binary stream, once read (every COPY of its rows starts with it). */
    public Buffer binaryHeader() {
        return binaryHeader;
    }

    /** The next whole row, or null until more data (or {@link #finish}) makes one. */
    public Row next() {
        while (!ended) {
            Row row = format == Format.BINARY ? nextTuple() : nextLine();
            if (row == null) {
                return null;
            }
            if (headerToSkip) {
                headerToSkip = false;
                continue;
            }
            return row;
        }
        return null;
    }

    private Row nextLine() {
        boolean csv = format == Format.CSV;
        int length = pending.length();
        int i = scanned;
        while (i < length) {
            byte c = pending.getByte(i);
            boolean lineStart = i == start;
            boolean backslashMatters = c == '\\' && (!csv || lineStart);
            if ((backslashMatters && i + 3 >= length || c == '\r' && i + 1 >= length) && !finished) {
                // Wait for the characters that decide, before changing any state (as PostgreSQL does).
                break;
            }
            if (csv) {
                if (inQuote && c == escape) {
                    lastWasEscape = !lastWasEscape;
                }
                if (c == quote && !lastWasEscape) {
                    inQuote = !inQuote;
                }
                if (c != escape) {
                    lastWasEscape = false;
                }
            }
            if (c == '\r' && (!csv || !inQuote)) {
                boolean crnl = i + 1 < length && pending.getByte(i + 1) == '\n' && lineEnd != LineEnd.CR;
                if (lineEnd == LineEnd.UNKNOWN) {
                    lineEnd = crnl ? LineEnd.CRNL : LineEnd.CR;
                }
                return line(i, crnl ? i + 2 : i + 1);
            }
            if (c == '\n' && (!csv || !inQuote)) {
                if (lineEnd == LineEnd.UNKNOWN) {
                    lineEnd = LineEnd.NL;
                }
                return line(i, i + 1);
            }
            if (backslashMatters) {
                byte next = i + 1 < length ? pending.getByte(i + 1) : 0;
                if (next == '.' && endsLine(i + 2)) {
                    ended = true;
                    inQuote = false;
                    return i > start ? new Row(pending.getBuffer(start, i), Buffer.buffer(), 0) : null;
                }
                if (!csv) {
                    // In text, anything after a backslash is data, a newline included.
                    i += 2;
                    continue;
                }
            }
            i++;
        }
        scanned = Math.min(i, length);
        if (finished && i >= length && start < length) {
            Row last = new Row(pending.getBuffer(start, length), Buffer.buffer(), 0);
            start = length;
            scanned = length;
            return last;
        }
        return null;
    }

    /** Whether a line ends at {@code at}: a newline, or the end of all data. */
    private boolean endsLine(int at) {
        if (at >= pending.length()) {
            return finished;
        }
        byte c = pending.getByte(at);
        return c == '\n' || c == '\r';
    }

    private Row line(int contentEnd, int rowEnd) {
        Row row = new Row(pending.getBuffer(start, contentEnd), pending.getBuffer(contentEnd, rowEnd), 0);
        start = rowEnd;
        scanned = rowEnd;
        inQuote = false;
        lastWasEscape = false;
        return row;
    }

    private Row nextTuple() {
        int length = pending.length();
        if (binaryHeader == null) {
            if (length - start < 19) {
                failIfFinished("COPY file signature not recognized");
                return null;
            }
            for (int k = 0; k < BINARY_SIGNATURE.length; k++) {
                if (pending.getByte(start + k) != BINARY_SIGNATURE[k]) {
                    throw new Malformed("COPY file signature not recognized");
                }
            }
            int extension = pending.getInt(start + 15);
            if (extension < 0) {
                throw new Malformed("invalid COPY file header (missing length)");
            }
            if (length - start < 19 + extension) {
                failIfFinished("invalid COPY file header (wrong length)");
                return null;
            }
            binaryHeader = pending.getBuffer(start, start + 19 + extension);
            start += 19 + extension;
        }
        if (length - start < 2) {
            failIfFinished("unexpected EOF in COPY data");
            return null;
        }
        int fields = pending.getShort(start);
        if (fields == -1) {
            ended = true;
            return null;
        }
        int at = start + 2;
        for (int f = 0; f < fields; f++) {
            if (length - at < 4) {
                failIfFinished("unexpected EOF in COPY data");
                return null;
            }
            int fieldLength = pending.getInt(at);
            at += 4;
            if (fieldLength > 0) {
                if (length - at < fieldLength) {
                    failIfFinished("unexpected EOF in COPY data");
                    return null;
                }
                at += fieldLength;
            }
        }
        Row row = new Row(pending.getBuffer(start + 2, at), Buffer.buffer(), fields);
        start = at;
        return row;
    }

    private void failIfFinished(String message) {
        if (finished && start < pending.length()) {
            throw new Malformed(message);
        }
    }
}
