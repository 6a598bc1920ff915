package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Frames message bodies for the wire: type byte, then a length word that counts itself and the body. */
public final class MessageWriter {
    private MessageWriter() {
    }

    public static Buffer message(byte type, Buffer body) {
        return appendMessage(Buffer.buffer(5 + body.length()), type, body);
    }

    /** Appends a framed message to {@code buffer}, so that many can go out in one write. */
    public static Buffer appendMessage(Buffer buffer, byte type, Buffer body) {
        if (type != PgMessage.UNTYPED) {
            buffer.appendByte(type);
        }
        return buffer.appendInt(body.length() + 4).appendBuffer(body);
    }

    /** Appends a NUL-terminated UTF-8 string, PostgreSQL's "String" type. */
    public static Buffer appendCString(Buffer buffer, String text) {
        return buffer.appendBytes(text.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }
}
