package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

/**
 * One whole protocol message: its type byte and its body (without the length word). Startup-phase packets,
 * which have no type byte, carry {@link #UNTYPED}.
 */
public record PgMessage(byte type, Buffer body) {
    public static final byte UNTYPED = 0;

    /** The message as bytes on the wire. */
    public Buffer encode() {
        return MessageWriter.message(type, body);
    }
}
