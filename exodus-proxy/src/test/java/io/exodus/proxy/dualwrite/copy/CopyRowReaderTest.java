package io.exodus.proxy.dualwrite.copy;

import io.exodus.proxy.sql.CopyFromStatement;
import io.exodus.proxy.sql.CopyFromStatement.Format;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Row boundaries as PostgreSQL's copyfromparse.c finds them, whatever pieces the data arrives in. */
class CopyRowReaderTest {

    @Test
    void textRowsEndAtUnescapedNewlinesAndAtTheEndMarker() {
        String data = "a\tb\\\nc\n\\N\t\\\\\n\\.\nignored\n";
        for (int piece = 1; piece <= data.length(); piece++) {
            assertEquals(List.of("a\tb\\\nc|\n", "\\N\t\\\\|\n"), rows(new CopyRowReader(Format.TEXT, '"', '"', false),
                    data, piece), "in pieces of " + piece);
        }
    }

    @Test
    void csvRowsKeepQuotedNewlinesDoubledQuotesAndSkipTheHeader() {
        String data = "x,y\r\n\"two\r\nlines\",1\r\n\"say \"\"hi\"\"\",\r\nlast,3";
        for (int piece = 1; piece <= data.length(); piece++) {
            assertEquals(List.of("\"two\r\nlines\",1|\r\n", "\"say \"\"hi\"\"\",|\r\n", "last,3|"),
                    rows(new CopyRowReader(Format.CSV, '"', '"', true), data, piece), "in pieces of " + piece);
        }
    }

    @Test
    void csvEscapeOtherThanTheQuoteEscapesAQuoteInsideQuotes() {
        String data = "'it\\'s\n here',1\n\\.\n";
        assertEquals(List.of("'it\\'s\n here',1|\n"), rows(new CopyRowReader(Format.CSV, '\'', '\\', false), data, 3));
    }

    @Test
    void binaryTuplesAreFoundAfterTheHeaderUpToTheTrailer() {
        Buffer data = Buffer.buffer().appendBytes(CopyRowReader.BINARY_SIGNATURE).appendInt(0).appendInt(0)
                .appendShort((short) 2).appendInt(3).appendString("abc").appendInt(-1)
                .appendShort((short) 1).appendInt(0)
                .appendShort((short) -1).appendString("after the trailer");
        CopyRowReader reader = new CopyRowReader(Format.BINARY, '"', '"', false);
        List<CopyRowReader.Row> rows = new ArrayList<>();
        for (int at = 0; at < data.length(); at++) {
            reader.feed(data.getBuffer(at, at + 1));
            CopyRowReader.Row row;
            while ((row = reader.next()) != null) {
                rows.add(row);
            }
        }
        assertEquals(2, rows.size());
        assertEquals(2, rows.get(0).fieldCount());
        assertEquals(11, rows.get(0).content().length());
        assertEquals(1, rows.get(1).fieldCount());
        assertTrue(reader.ended());
        assertEquals(19, reader.binaryHeader().length());
    }

    @Test
    void aBinaryStreamWithoutTheSignatureIsRefused() {
        CopyRowReader reader = new CopyRowReader(Format.BINARY, '"', '"', false);
        reader.feed(Buffer.buffer("1\tone\n2\ttwo\n3\tthree\n"));
        assertThrows(CopyRowReader.Malformed.class, reader::next);
    }

    @Test
    void drawnValuesAreAppendedBeforeEachLineEnd() {
        CopyFromStatement copy = CopyFromStatement.parse("COPY t (a) FROM STDIN WITH CSV").orElseThrow();
        CopyChunk chunk = new CopyChunk(copy, 1);
        CopyRowReader client = CopyRowReader.of(copy, false);
        client.feed(Buffer.buffer("\"x\ny\"\r\nz"));
        client.finish();
        CopyRowReader.Row row;
        while ((row = client.next()) != null) {
            chunk.add(row);
        }
        CopyRowReader drawn = CopyRowReader.of(copy, false);
        drawn.feed(Buffer.buffer("1,\"a,b\"\n2,\n"));
        drawn.finish();
        List<CopyRowReader.Row> values = new ArrayList<>();
        while ((row = drawn.next()) != null) {
            values.add(row);
        }
        Buffer framed = chunk.withDrawn(null, values);
        String data = framed.getString(5, framed.length() - 5, "UTF-8");
        assertEquals("\"x\ny\",1,\"a,b\"\r\nz,2,", data);
    }

    private static List<String> rows(CopyRowReader reader, String data, int piece) {
        List<String> rows = new ArrayList<>();
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < bytes.length; at += piece) {
            reader.feed(Buffer.buffer().appendBytes(bytes, at, Math.min(piece, bytes.length - at)));
            collect(reader, rows);
        }
        reader.finish();
        collect(reader, rows);
        return rows;
    }

    private static void collect(CopyRowReader reader, List<String> rows) {
        CopyRowReader.Row row;
        while ((row = reader.next()) != null) {
            rows.add(row.content().toString(StandardCharsets.UTF_8) + "|" + row.end().toString(StandardCharsets.UTF_8));
        }
    }
}
