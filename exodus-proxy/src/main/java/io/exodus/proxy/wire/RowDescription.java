package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A RowDescription ('T'): the columns of the rows that follow. The proxy reads it where it must understand rows
 * rather than relay them, such as the row image that copies the primary's RETURNING rows to the secondary: the
 * table OID and column number say which table column each field is, the format code how its values are encoded.
 */
public record RowDescription(List<Field> fields) {

    public static final short TEXT_FORMAT = 0;
    public static final short BINARY_FORMAT = 1;

    public RowDescription {
        fields = List.copyOf(fields);
    }

    /**
     * One column of the rows.
     *
     * @param tableOid     the table the column comes from, 0 when it is not a plain table column
     * @param columnNumber the column's {@code attnum} in that table, 0 when it is not a plain table column
     * @param typeOid      the column's type; for a domain, PostgreSQL sends the domain's base type
     * @param typeSize     {@code pg_type.typlen}: negative for variable-width types
     * @param format       {@link #TEXT_FORMAT} or {@link #BINARY_FORMAT}
     */
    public record Field(String name, int tableOid, short columnNumber, int typeOid, short typeSize,
            int typeModifier, short format) {
    }

    /** Decodes a RowDescription body (after the type byte and length word). */
    public static RowDescription decode(Buffer body) {
        MessageReader reader = new MessageReader(body);
        int count = readShort(reader) & 0xffff;
        List<Field> fields = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            fields.add(new Field(reader.readCString(), reader.readInt(), readShort(reader), reader.readInt(),
                    readShort(reader), reader.readInt(), readShort(reader)));
        }
        if (reader.hasRemaining()) {
            throw ProtocolViolation.of("RowDescription is longer than its " + count + " fields");
        }
        return new RowDescription(fields);
    }

    /** An Int16 of the protocol; Java evaluates the two reads left to right. */
    static short readShort(MessageReader reader) {
        return (short) ((reader.readByte() << 8) | (reader.readByte() & 0xff));
    }
}
