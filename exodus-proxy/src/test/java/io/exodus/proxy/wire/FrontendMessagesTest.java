package io.exodus.proxy.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The bytes of each message, as the "Message Formats" chapter of the PostgreSQL documentation lays them out. */
class FrontendMessagesTest {

    /** Hex of the bytes; spaces in {@code expected} are only for reading. */
    private static void assertBytes(String expected, Buffer actual) {
        assertEquals(expected.replace(" ", ""), HexFormat.of().formatHex(actual.getBytes()));
    }

    @Test
    void query() {
        // 'Q', Int32 length, String query.
        assertBytes("51 0000000d 73656c6563742031 00", FrontendMessages.query("select 1"));
    }

    @Test
    void parseWithParameterTypes() {
        // 'P', Int32 length, String name, String query, Int16 count, Int32 OID each.
        assertBytes("50 00000013 7300 243100 0002 00000014 00000000",
                FrontendMessages.parse("s", "$1", new int[] {20, 0}));
        assertBytes("50 0000000b 00 78797a00 0000",
                FrontendMessages.parse("", "xyz", new int[0]));
    }

    @Test
    void bindWithFormatsValuesAndANull() {
        // 'B', Int32 length, String portal, String statement, Int16 format count, Int16 each, Int16 value count,
        // (Int32 length, bytes) each with -1 for NULL, Int16 result format count, Int16 each.
        List<byte[]> values = Arrays.asList("ab".getBytes(StandardCharsets.UTF_8), null);
        Buffer bind = FrontendMessages.bind("p", "", new short[] {0, 1}, values, new short[] {1});
        assertBytes("42 0000001d 7000 00 0002 0000 0001 0002 00000002 6162 ffffffff 0001 0001", bind);
        assertBytes("42 0000000c 00 00 0000 0000 0000",
                FrontendMessages.bind("", "", new short[0], List.of(), new short[0]));
    }

    @Test
    void bindOfAnEmptyValueIsNotNull() {
        assertBytes("42 00000010 00 00 0000 0001 00000000 0000",
                FrontendMessages.bind("", "", new short[0], List.of(new byte[0]), new short[0]));
    }

    @Test
    void describeAndClose() {
        // 'D' or 'C', Int32 length, Byte1 'S' or 'P', String name.
        assertBytes("44 00000007 50 6100", FrontendMessages.describePortal("a"));
        assertBytes("44 00000006 53 00", FrontendMessages.describeStatement(""));
        assertBytes("43 00000007 53 7300", FrontendMessages.closeStatement("s"));
        assertBytes("43 00000006 50 00", FrontendMessages.closePortal(""));
    }

    @Test
    void executeSyncAndFlush() {
        // 'E', Int32 length, String portal, Int32 maximum rows (0: no limit).
        assertBytes("45 00000009 00 00000000", FrontendMessages.execute("", 0));
        assertBytes("45 0000000a 7000 00000064", FrontendMessages.execute("p", 100));
        assertBytes("53 00000004", FrontendMessages.sync());
        assertBytes("48 00000004", FrontendMessages.flush());
    }

    @Test
    void appendsSeveralMessagesIntoOneBuffer() {
        Buffer out = Buffer.buffer().appendByte((byte) 0x7f);
        FrontendMessages.appendParse(out, "", "select 1", new int[0]);
        FrontendMessages.appendBind(out, "", "", new short[0], List.of(), new short[0]);
        FrontendMessages.appendDescribePortal(out, "");
        FrontendMessages.appendExecute(out, "", 0);
        FrontendMessages.appendSync(out);

        Buffer expected = Buffer.buffer().appendByte((byte) 0x7f)
                .appendBuffer(FrontendMessages.parse("", "select 1", new int[0]))
                .appendBuffer(FrontendMessages.bind("", "", new short[0], List.of(), new short[0]))
                .appendBuffer(FrontendMessages.describePortal(""))
                .appendBuffer(FrontendMessages.execute("", 0))
                .appendBuffer(FrontendMessages.sync());
        assertEquals(expected, out);
    }

    @Test
    void framesNonAsciiTextAsUtf8Bytes() {
        // "é" is two bytes in UTF-8: the length counts bytes, not characters.
        assertBytes("51 00000007 c3a9 00", FrontendMessages.query("é"));
    }

    @Test
    void refusesMoreParametersThanTheProtocolCanCount() {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 65_536; i++) {
            values.add(null);
        }
        assertThrows(IllegalArgumentException.class,
                () -> FrontendMessages.bind("", "", new short[0], values, new short[0]));
        assertThrows(IllegalArgumentException.class, () -> FrontendMessages.parse("", "x", new int[65_536]));
    }
}
