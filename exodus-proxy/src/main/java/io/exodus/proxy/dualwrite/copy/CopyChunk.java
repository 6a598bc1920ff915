package io.exodus.proxy.dualwrite.copy;

import io.exodus.proxy.sql.CopyFromStatement;
import io.exodus.proxy.sql.CopyFromStatement.Format;
import io.exodus.proxy.wire.FrontendMessageType;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows of a client's COPY collected until their values for the omitted columns are drawn, then written out with
 * those values appended to each row, in the client's own format: a text or CSV row gets the delimiter and the drawn
 * fields before its line end; a binary tuple gets a larger field count and the drawn fields after its own.
 */
public final class CopyChunk {
    /** A chunk is written once it has this many rows or bytes: one draw and one COPY per chunk on each database. */
    public static final int MAX_ROWS = 10_000;
    public static final int MAX_BYTES = 1 << 20;
    private static final int COPY_DATA_BYTES = 64 * 1024;

    private final Format format;
    private final byte[] delimiter;
    private final List<CopyRowReader.Row> rows = new ArrayList<>();
    private final long firstLine;
    private int bytes;

    /** @param firstLine the line (or tuple) number of the chunk's first row in the client's data, from 1 */
    public CopyChunk(CopyFromStatement statement, long firstLine) {
        this.format = statement.format();
        String delimiter = statement.stringOption("delimiter");
        if (delimiter == null) {
            delimiter = format == Format.CSV ? "," : "\t";
        }
        this.delimiter = delimiter.getBytes(StandardCharsets.UTF_8);
        this.firstLine = firstLine;
    }

    public void add(CopyRowReader.Row row) {
        rows.add(row);
        bytes += row.content().length() + row.end().length();
    }

    public int size() {
        return rows.size();
    }

    public boolean full() {
        return rows.size() >= MAX_ROWS || bytes >= MAX_BYTES;
    }

    /** The line number, in the client's data, of the chunk's first row. */
    public long firstLine() {
        return firstLine;
    }

    /**
     * The chunk's rows, each with the drawn row of the same position appended, as CopyData messages followed by
     * CopyDone.
     *
     * @param binaryHeader the header of the client's binary stream (null for text and CSV)
     * @param drawn        one row of drawn values per row of the chunk, read in the same format
     */
    public Buffer withDrawn(Buffer binaryHeader, List<CopyRowReader.Row> drawn) {
        if (drawn.size() != rows.size()) {
            throw new IllegalStateException("drew " + drawn.size() + " rows of values for " + rows.size() + " rows");
        }
        Buffer data = Buffer.buffer(bytes + rows.size() * 48 + 32);
        if (format == Format.BINARY) {
            data.appendBuffer(binaryHeader);
        }
        for (int i = 0; i < rows.size(); i++) {
            CopyRowReader.Row row = rows.get(i);
            CopyRowReader.Row values = drawn.get(i);
            if (format == Format.BINARY) {
                data.appendShort((short) (row.fieldCount() + values.fieldCount()));
                data.appendBuffer(row.content()).appendBuffer(values.content());
            } else {
                data.appendBuffer(row.content()).appendBytes(delimiter).appendBuffer(values.content())
                        .appendBuffer(row.end());
            }
        }
        if (format == Format.BINARY) {
            data.appendShort((short) -1);
        }
        return framed(data);
    }

    /** Raw COPY data as CopyData messages of at most 64 KiB, then CopyDone. */
    public static Buffer framed(Buffer data) {
        Buffer out = Buffer.buffer(data.length() + 5 * (data.length() / COPY_DATA_BYTES + 2));
        for (int at = 0; at < data.length(); at += COPY_DATA_BYTES) {
            int end = Math.min(data.length(), at + COPY_DATA_BYTES);
            out.appendByte(FrontendMessageType.COPY_DATA).appendInt(end - at + 4).appendBuffer(data, at, end - at);
        }
        return out.appendByte(FrontendMessageType.COPY_DONE).appendInt(4);
    }
}
