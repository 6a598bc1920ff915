package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

/**
 * What a Describe or a Close names: a prepared statement ({@code 'S'}) or a portal ({@code 'P'}), by name
 * ({@code ""}: the unnamed one).
 */
public record NamedObject(boolean statement, String name) {
    /** The first body byte of a Describe or Close of a prepared statement. */
    public static final byte STATEMENT = 'S';
    /** The first body byte of a Describe or Close of a portal. */
    public static final byte PORTAL = 'P';

    /** Reads the object a Describe or Close names. */
    public static NamedObject of(PgMessage describeOrClose) {
        MessageReader reader = new MessageReader(describeOrClose.body());
        return new NamedObject(reader.readByte() == STATEMENT, reader.readCString());
    }

    /** Whether the Describe or Close whose body starts at {@code at} of {@code bytes} names a prepared statement. */
    public static boolean namesStatement(Buffer bytes, int at) {
        return bytes.length() > at && bytes.getByte(at) == STATEMENT;
    }

    public boolean portal() {
        return !statement;
    }
}
