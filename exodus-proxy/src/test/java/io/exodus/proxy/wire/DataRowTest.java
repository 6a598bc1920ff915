package io.exodus.proxy.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

class DataRowTest {

    @Test
    void readsValuesNullsAndEmptyValuesApart() {
        byte[] text = "héllo".getBytes(StandardCharsets.UTF_8);
        Buffer body = Buffer.buffer().appendShort((short) 4)
                .appendInt(text.length).appendBytes(text)
                .appendInt(-1)
                .appendInt(0)
                .appendInt(4).appendInt(42);

        List<byte[]> values = DataRow.decode(body);

        assertEquals(4, values.size());
        assertArrayEquals(text, values.get(0));
        assertNull(values.get(1));
        assertArrayEquals(new byte[0], values.get(2));
        assertArrayEquals(new byte[] {0, 0, 0, 42}, values.get(3));
    }

    @Test
    void readsARowWithoutColumns() {
        assertEquals(List.of(), DataRow.decode(Buffer.buffer().appendShort((short) 0)));
    }

    @Test
    void refusesAValueLongerThanTheBodyOrBytesAfterTheLast() {
        assertThrows(ProtocolViolation.class,
                () -> DataRow.decode(Buffer.buffer().appendShort((short) 1).appendInt(5).appendByte((byte) 1)));
        assertThrows(ProtocolViolation.class,
                () -> DataRow.decode(Buffer.buffer().appendShort((short) 1).appendInt(-2)));
        assertThrows(ProtocolViolation.class,
                () -> DataRow.decode(Buffer.buffer().appendShort((short) 1).appendInt(-1).appendByte((byte) 0)));
        assertThrows(ProtocolViolation.class, () -> DataRow.decode(Buffer.buffer().appendShort((short) 1)));
    }
}
