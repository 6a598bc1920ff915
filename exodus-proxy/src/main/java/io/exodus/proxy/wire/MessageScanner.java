package io.exodus.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * Walks the typed messages of a byte stream as it passes through the proxy, chunk by chunk, without holding
 * message bodies: the relay forwards each chunk as it came and the scanner only looks at the five-byte
 * headers. Bodies of the few types a listener asks for (small ones, such as ReadyForQuery) are captured; of others
 * the listener may see the first bytes only ({@link #peek}), such as the start of a Query's text.
 * <p>
 * Not thread-safe: one scanner belongs to one direction of one session, on its event loop.
 */
public final class MessageScanner {

    /** What the relay wants to know about the messages going by. */
    public interface Listener {
        /**
         * Called for every message as soon as its header is complete.
         *
         * @throws ProtocolViolation to stop the stream before this message
         */
        void onHeader(byte type, int length);

        /** Called with the whole body of a message whose type was registered with {@link #capture(byte)}. */
        default void onBody(byte type, Buffer body) {
        }

        /**
         * Called, after {@link #onHeader}, with the first bytes of the body of a message whose type was registered
         * with {@link #peek}: as many as were asked for, or the whole body if it is shorter. They are {@code length}
         * bytes from {@code index} of {@code bytes}, which the listener may read during the call only, without
         * moving its indexes: either the chunk being scanned or the scanner's own copy of a start that spanned chunks.
         */
        default void onBodyStart(byte type, ByteBuf bytes, int index, int length) {
        }
    }

    private static final int HEADER_LENGTH = 5;

    private final Listener listener;
    private final boolean[] captured = new boolean[256];
    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerFill;
    private byte type;
    private int bodyRemaining;
    private ByteBuf body;
    /** Bytes wanted of the start of each type's bodies, by type; null until {@link #peek} is called. */
    private int[] peeked;
    /** The start of the current body when it spans chunks; reused. */
    private ByteBuf bodyStart;
    /** Bytes of the current body's start not yet copied into {@link #bodyStart}. */
    private int startMissing;
    private ProtocolViolation failure;
    /** Set by the listener during {@link Listener#onHeader}: this one message's body is wanted whole. */
    private boolean captureCurrent;

    public MessageScanner(Listener listener) {
        this.listener = listener;
    }

    /** Asks for the bodies of messages of this type; only for types whose bodies are small. */
    public MessageScanner capture(byte messageType) {
        captured[messageType & 0xff] = true;
        return this;
    }

    /**
     * Asks, from within {@link Listener#onHeader}, for the whole body of that one message, handed to
     * {@link Listener#onBody}: for a listener that decides message by message (a sampled statement's text, say)
     * rather than for every message of a type.
     */
    public void captureThisBody() {
        captureCurrent = true;
    }

    /**
     * Asks for the first {@code bytes} bytes of the bodies of messages of this type (all of a shorter body), handed to
     * {@link Listener#onBodyStart}; the rest of the body is not held. Copies only a start that spans chunks.
     */
    public MessageScanner peek(byte messageType, int bytes) {
        if (peeked == null) {
            peeked = new int[256];
        }
        peeked[messageType & 0xff] = bytes;
        if (bodyStart == null || bodyStart.capacity() < bytes) {
            bodyStart = Unpooled.buffer(bytes, bytes);
        }
        return this;
    }

    /**
     * Scans the next chunk of the stream.
     *
     * @return how many leading bytes of the chunk belong to well-formed messages and may be forwarded; less than
     *         the chunk's length when the listener threw a {@link ProtocolViolation}, which is then rethrown by
     *         {@link #failure()}
     */
    public int scan(Buffer chunk) {
        return scan(chunk.getByteBuf());
    }

    /**
     * Scans the readable bytes of a Netty buffer without moving its indexes, so that the relay can forward the
     * very same buffer afterwards.
     *
     * @return as {@link #scan(Buffer)}, counted from the buffer's reader index
     */
    public int scan(ByteBuf chunk) {
        int start = chunk.readerIndex();
        int end = chunk.writerIndex();
        int position = start;
        while (position < end) {
            if (bodyRemaining > 0) {
                int take = Math.min(bodyRemaining, end - position);
                if (startMissing > 0) {
                    copyStart(chunk, position, Math.min(startMissing, take));
                }
                if (body != null) {
                    body.writeBytes(chunk, position, take);
                }
                position += take;
                bodyRemaining -= take;
                if (bodyRemaining == 0) {
                    finishBody();
                }
                continue;
            }
            int headerStart = position;
            if (headerFill == 0 && end - position >= HEADER_LENGTH) {
                type = chunk.getByte(position);
                bodyRemaining = chunk.getInt(position + 1);
                position += HEADER_LENGTH;
            } else {
                while (headerFill < HEADER_LENGTH && position < end) {
                    header[headerFill++] = chunk.getByte(position++);
                }
                if (headerFill < HEADER_LENGTH) {
                    break;
                }
                headerFill = 0;
                type = header[0];
                bodyRemaining = ((header[1] & 0xff) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8)
                        | (header[4] & 0xff);
            }
            int messageLength = bodyRemaining;
            if (messageLength < 4) {
                return fail(headerStart - start, ProtocolViolation.of("invalid message length " + messageLength
                        + " for message type " + FrontendMessageType.describe(type)));
            }
            captureCurrent = false;
            try {
                listener.onHeader(type, messageLength);
            } catch (ProtocolViolation violation) {
                return fail(headerStart - start, violation);
            }
            bodyRemaining = messageLength - 4;
            body = captured[type & 0xff] || captureCurrent ? Unpooled.buffer(bodyRemaining, bodyRemaining) : null;
            if (peeked != null && peeked[type & 0xff] > 0) {
                int wanted = Math.min(peeked[type & 0xff], bodyRemaining);
                if (end - position >= wanted) {
                    listener.onBodyStart(type, chunk, position, wanted);
                } else {
                    bodyStart.clear();
                    startMissing = wanted;
                }
            }
            if (bodyRemaining == 0) {
                finishBody();
            }
        }
        return end - start;
    }

    /** Whether every byte scanned so far belongs to a whole message: none is half-way through its header or body. */
    public boolean atMessageBoundary() {
        return headerFill == 0 && bodyRemaining == 0;
    }

    /** The violation that cut the last {@link #scan(Buffer)} short, or null. */
    public ProtocolViolation failure() {
        return failure;
    }

    /**
     * Lets scans go on after a listener stopped the stream before a whole message that the relay held and now takes
     * after all; the next scan starts with that message's header.
     */
    public void forgetFailure() {
        failure = null;
    }

    private int fail(int headerStart, ProtocolViolation violation) {
        failure = violation;
        bodyRemaining = 0;
        startMissing = 0;
        return headerStart;
    }

    private void copyStart(ByteBuf chunk, int position, int length) {
        bodyStart.writeBytes(chunk, position, length);
        startMissing -= length;
        if (startMissing == 0) {
            listener.onBodyStart(type, bodyStart, 0, bodyStart.writerIndex());
        }
    }

    private void finishBody() {
        if (body != null) {
            ByteBuf complete = body;
            body = null;
            listener.onBody(type, Buffer.buffer(complete));
        }
    }
}
