package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Reads the fields of a message body in order, failing with a protocol violation on a truncated body. */
public final class MessageReader {
    private final Buffer body;
    private int position;

    public MessageReader(Buffer body) {
        this.body = body;
    }

    public int readInt() {
        require(4);
        int value = body.getInt(position);
        position += 4;
        return value;
    }

    /** An Int16 field (counts and format codes), sign-extended. */
    public int readShort() {
        require(2);
        int value = body.getShort(position);
        position += 2;
        return value;
    }

    public byte readByte() {
        require(1);
        return body.getByte(position++);
    }

    public byte[] readBytes(int count) {
        if (count < 0) {
            throw ProtocolViolation.of("negative field length " + count);
        }
        require(count);
        byte[] bytes = body.getBytes(position, position + count);
        position += count;
        return bytes;
    }

    public String readCString() {
        for (int end = position; end < body.length(); end++) {
            if (body.getByte(end) == 0) {
                String text = body.getString(position, end, StandardCharsets.UTF_8.name());
                position = end + 1;
                return text;
            }
        }
        throw ProtocolViolation.of("string field is not NUL-terminated");
    }

    public boolean hasRemaining() {
        return position < body.length();
    }

    public int remaining() {
        return body.length() - position;
    }

    private void require(int count) {
        if (body.length() - position < count) {
            throw ProtocolViolation.of("message body is shorter than its fields");
        }
    }
}
