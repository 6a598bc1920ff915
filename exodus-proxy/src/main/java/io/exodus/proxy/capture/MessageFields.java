package io.exodus.proxy.capture;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** The few fields the tap reads out of message bodies in place: zero-terminated strings, an error's SQLSTATE. */
final class MessageFields {

    private MessageFields() {
    }

    /** The index of the first zero byte in [from, end), or -1. */
    static int zero(ByteBuf bytes, int from, int end) {
        return from >= end ? -1 : bytes.indexOf(from, end, (byte) 0);
    }

    /** The zero-terminated string at {@code from}, or the bytes up to {@code end} without a terminator. */
    static String cString(ByteBuf bytes, int from, int end) {
        if (from > end) {
            return null;
        }
        int zero = zero(bytes, from, end);
        int stop = zero < 0 ? end : zero;
        return bytes.toString(from, stop - from, StandardCharsets.UTF_8);
    }

    /** The SQLSTATE field ('C') of an ErrorResponse body, or null. */
    static String errorCode(ByteBuf bytes, int from, int end) {
        int position = from;
        while (position < end) {
            byte field = bytes.getByte(position);
            if (field == 0) {
                break;
            }
            int valueEnd = zero(bytes, position + 1, end);
            if (valueEnd < 0) {
                break;
            }
            if (field == 'C') {
                return bytes.toString(position + 1, valueEnd - position - 1, StandardCharsets.US_ASCII);
            }
            position = valueEnd + 1;
        }
        return null;
    }
}
