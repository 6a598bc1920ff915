package io.exodus.proxy.wire;

/**
 * What a Describe or a Close names: a prepared statement ({@code 'S'}) or a portal ({@code 'P'}), by name
 * ({@code ""}: the unnamed one).
 */
public record NamedObject(boolean statement, String name) {

    /** Reads the object a Describe or Close names. */
    public static NamedObject of(PgMessage describeOrClose) {
        MessageReader reader = new MessageReader(describeOrClose.body());
        return new NamedObject(reader.readByte() == 'S', reader.readCString());
    }

    public boolean portal() {
        return !statement;
    }
}
