package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

/**
 * Collects whole messages out of a byte stream that arrives in arbitrary chunks, for the paths that must read
 * messages before acting on them (startup, authentication, dual-write). Each message's body is a slice of the bytes
 * received, never a copy; a read index walks the buffer, and only the start of a message cut by the end of a chunk
 * is moved, once, when the next chunk arrives. The established pass-through relay uses {@link MessageScanner}.
 */
public final class MessageAssembler {
    private final int maxLength;
    private Buffer pending = Buffer.buffer();
    /** Where the next message starts in {@link #pending}. */
    private int offset;

    public MessageAssembler(int maxLength) {
        this.maxLength = maxLength;
    }

    public void append(Buffer chunk) {
        int unread = pending.length() - offset;
        if (unread == 0) {
            pending = chunk;
            offset = 0;
        } else if (offset == 0) {
            // A message longer than the chunks so far: grow in place (no slice of this buffer was handed out yet).
            pending = pending.appendBuffer(chunk);
        } else {
            // Slices handed out keep the old buffer; the cut message's start moves to a new one.
            pending = Buffer.buffer(unread + chunk.length()).appendBuffer(pending, offset, unread).appendBuffer(chunk);
            offset = 0;
        }
    }

    /** Bytes received but not yet returned as messages. */
    public int buffered() {
        return pending.length() - offset;
    }

    /** Hands over whatever is buffered (for instance when the session switches to streaming relay). */
    public Buffer drain() {
        Buffer rest = offset == 0 ? pending : pending.getBuffer(offset, pending.length());
        pending = Buffer.buffer();
        offset = 0;
        return rest;
    }

    /** The next startup-phase packet (length word, then code and body), or null if it is not complete yet. */
    public PgMessage nextUntyped() {
        if (buffered() < 4) {
            return null;
        }
        int length = pending.getInt(offset);
        if (length < 8 || length > StartupCode.MAX_STARTUP_PACKET_LENGTH) {
            throw ProtocolViolation.unanswered("invalid length of startup packet: " + length);
        }
        if (buffered() < length) {
            return null;
        }
        Buffer body = pending.slice(offset + 4, offset + length);
        offset += length;
        return new PgMessage(PgMessage.UNTYPED, body);
    }

    /**
     * The complete messages of one type that come next, as one slice of their framed bytes (type, length, body), or
     * null when the next message is of another type or not complete yet. For a relay that forwards many small
     * messages it need not read (DataRows) in one piece. Their lengths are checked as {@link #nextTyped} checks them.
     */
    public Buffer nextRunOf(byte wanted) {
        int start = offset;
        int at = offset;
        int end = pending.length();
        while (end - at >= 5 && pending.getByte(at) == wanted) {
            int length = pending.getInt(at + 1);
            if (length < 4 || length > maxLength || end - at < length + 1) {
                break;
            }
            at += length + 1;
        }
        if (at == start) {
            return null;
        }
        offset = at;
        return pending.slice(start, at);
    }

    /** The next typed message, or null if it is not complete yet. */
    public PgMessage nextTyped() {
        if (buffered() < 5) {
            return null;
        }
        byte type = pending.getByte(offset);
        int length = pending.getInt(offset + 1);
        if (length < 4) {
            throw ProtocolViolation.of("invalid message length " + length + " for message type "
                    + FrontendMessageType.describe(type));
        }
        if (length > maxLength) {
            throw new ProtocolViolation(SqlState.PROGRAM_LIMIT_EXCEEDED,
                    "message of " + length + " bytes exceeds the limit of " + maxLength + " bytes");
        }
        if (buffered() < length + 1) {
            return null;
        }
        Buffer body = pending.slice(offset + 5, offset + length + 1);
        offset += length + 1;
        return new PgMessage(type, body);
    }
}
