package io.exodus.proxy.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * Collects whole messages out of a byte stream that arrives in arbitrary chunks. Used where the proxy must read
 * a message before it can act (startup, authentication); the established relay uses {@link MessageScanner}.
 */
public final class MessageAssembler {
    private final int maxLength;
    private Buffer pending = Buffer.buffer();

    public MessageAssembler(int maxLength) {
        this.maxLength = maxLength;
    }

    public void append(Buffer chunk) {
        pending = pending.length() == 0 ? chunk.copy() : pending.appendBuffer(chunk);
    }

    /** Bytes received but not yet returned as messages. */
    public int buffered() {
        return pending.length();
    }

    /** Hands over whatever is buffered (for instance when the session switches to streaming relay). */
    public Buffer drain() {
        Buffer rest = pending;
        pending = Buffer.buffer();
        return rest;
    }

    /** The next startup-phase packet (length word, then code and body), or null if it is not complete yet. */
    public PgMessage nextUntyped() {
        if (pending.length() < 4) {
            return null;
        }
        int length = pending.getInt(0);
        if (length < 8 || length > StartupCode.MAX_STARTUP_PACKET_LENGTH) {
            throw ProtocolViolation.unanswered("invalid length of startup packet: " + length);
        }
        if (pending.length() < length) {
            return null;
        }
        Buffer body = pending.getBuffer(4, length);
        consume(length);
        return new PgMessage(PgMessage.UNTYPED, body);
    }

    /** The next typed message, or null if it is not complete yet. */
    public PgMessage nextTyped() {
        if (pending.length() < 5) {
            return null;
        }
        byte type = pending.getByte(0);
        int length = pending.getInt(1);
        if (length < 4) {
            throw ProtocolViolation.of("invalid message length " + length + " for message type "
                    + FrontendMessageType.describe(type));
        }
        if (length > maxLength) {
            throw new ProtocolViolation(SqlState.PROGRAM_LIMIT_EXCEEDED,
                    "message of " + length + " bytes exceeds the limit of " + maxLength + " bytes");
        }
        if (pending.length() < length + 1) {
            return null;
        }
        Buffer body = pending.getBuffer(5, length + 1);
        consume(length + 1);
        return new PgMessage(type, body);
    }

    private void consume(int bytes) {
        pending = bytes == pending.length() ? Buffer.buffer() : pending.getBuffer(bytes, pending.length());
    }
}
