package io.exodus.proxy.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

class RowDescriptionTest {

    private static Buffer field(Buffer body, String name, int tableOid, int column, int typeOid, int typeSize,
            int typeModifier, int format) {
        return MessageWriter.appendCString(body, name).appendInt(tableOid).appendShort((short) column)
                .appendInt(typeOid).appendShort((short) typeSize).appendInt(typeModifier).appendShort((short) format);
    }

    @Test
    void readsEveryFieldOfEveryColumn() {
        Buffer body = Buffer.buffer().appendShort((short) 3);
        field(body, "id", 16385, 1, 20, 8, -1, 0);
        field(body, "naïve \"name\"", 16385, 2, 1043, -1, 36, 1);
        field(body, "?column?", 0, 0, 23, 4, -1, 0);

        RowDescription description = RowDescription.decode(body);

        assertEquals(List.of(
                new RowDescription.Field("id", 16385, (short) 1, 20, (short) 8, -1, RowDescription.TEXT_FORMAT),
                new RowDescription.Field("naïve \"name\"", 16385, (short) 2, 1043, (short) -1, 36,
                        RowDescription.BINARY_FORMAT),
                new RowDescription.Field("?column?", 0, (short) 0, 23, (short) 4, -1, (short) 0)),
                description.fields());
    }

    @Test
    void keepsOidsAboveTwoToTheThirtyOneAsTheirBits() {
        Buffer body = field(Buffer.buffer().appendShort((short) 1), "x", 0xfffffffe, 32767, 0x80000000, 4, -1, 0);
        RowDescription.Field field = RowDescription.decode(body).fields().get(0);
        assertEquals("4294967294", Integer.toUnsignedString(field.tableOid()));
        assertEquals("2147483648", Integer.toUnsignedString(field.typeOid()));
        assertEquals(32767, field.columnNumber());
    }

    @Test
    void readsAStatementWithoutColumns() {
        assertEquals(List.of(), RowDescription.decode(Buffer.buffer().appendShort((short) 0)).fields());
    }

    @Test
    void refusesATruncatedOrOverlongBody() {
        Buffer whole = field(Buffer.buffer().appendShort((short) 1), "id", 1, 1, 23, 4, -1, 0);
        assertThrows(ProtocolViolation.class, () -> RowDescription.decode(whole.getBuffer(0, whole.length() - 1)));
        assertThrows(ProtocolViolation.class,
                () -> RowDescription.decode(whole.copy().appendBytes("x".getBytes(StandardCharsets.UTF_8))));
        assertThrows(ProtocolViolation.class, () -> RowDescription.decode(Buffer.buffer().appendShort((short) 2)));
    }
}
