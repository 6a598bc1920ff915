package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Frames message bodies for the wire: type byte, then a length word that counts itself and the body. */
public final class MessageWriter {
    private MessageWriter() {
    }

    public static Buffer message(byte type, Buffer body) {
        Buffer framed = Buffer.buffer(5 + body.length());
        if (type != PgMessage.UNTYPED) {
            framed.appendByte(type);
        }
        return framed.appendInt(body.length() + 4).appendBuffer(body);
    }

    /** Appends a NUL-terminated UTF-8 string, PostgreSQL's "String" type. */
    public static Buffer appendCString(Buffer buffer, String text) {
        return buffer.appendBytes(text.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }
}
