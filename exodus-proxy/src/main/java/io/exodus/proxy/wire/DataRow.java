package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.util.Arrays;
import java.util.List;

/**
 * The values of a DataRow ('D'), for the few places where the proxy keeps rows instead of relaying them (the row
 * image of an INSERT … RETURNING). Each value is left in the encoding its RowDescription field announced.
 */
public final class DataRow {

    private DataRow() {
    }

    /**
     * Decodes a DataRow body (after the type byte and length word) into one byte array per column, {@code null}
     * for SQL NULL. One list and one array per non-null value are all it allocates.
     */
    public static List<byte[]> decode(Buffer body) {
        MessageReader reader = new MessageReader(body);
        int count = RowDescription.readShort(reader) & 0xffff;
        byte[][] values = new byte[count][];
        for (int i = 0; i < count; i++) {
            int length = reader.readInt();
            values[i] = length == -1 ? null : reader.readBytes(length);
        }
        if (reader.hasRemaining()) {
            throw ProtocolViolation.of("DataRow is longer than its " + count + " values");
        }
        // Arrays.asList keeps the nulls (List.of refuses them) without copying.
        return Arrays.asList(values);
    }
}
