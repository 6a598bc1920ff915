package io.exodus.proxy.metrics;

import io.vertx.core.buffer.Buffer;

/**
 * The class of a SQLSTATE (its first two characters, e.g. {@code 22} data exception, {@code 40} transaction
 * rollback) as a small number, so that a counter per class can sit in an array instead of a map. A class is two
 * characters of [0-9A-Z]: 36 × 36 slots, plus one for anything malformed.
 */
final class SqlStateClass {
    static final int COUNT = 36 * 36 + 1;
    static final int UNKNOWN = COUNT - 1;

    private SqlStateClass() {
    }

    /** The class of a SQLSTATE string such as {@code "22012"}. */
    static int of(String sqlState) {
        if (sqlState == null || sqlState.length() < 2) {
            return UNKNOWN;
        }
        return of(sqlState.charAt(0), sqlState.charAt(1));
    }

    /**
     * The class of the 'C' field of an ErrorResponse body. The fields come as a code byte and a zero-terminated
     * string each; PostgreSQL sends S, V, C first, so this usually reads a dozen bytes.
     */
    static int ofErrorBody(Buffer body) {
        int length = body.length();
        int position = 0;
        while (position < length) {
            byte code = body.getByte(position);
            if (code == 0) {
                break;
            }
            if (code == 'C') {
                return position + 2 < length ? of((char) body.getByte(position + 1), (char) body.getByte(position + 2))
                        : UNKNOWN;
            }
            position++;
            while (position < length && body.getByte(position) != 0) {
                position++;
            }
            position++;
        }
        return UNKNOWN;
    }

    /** The tag value of a class number: two characters, or {@code unknown}. */
    static String name(int index) {
        if (index < 0 || index >= UNKNOWN) {
            return "unknown";
        }
        return new String(new char[] { symbol(index / 36), symbol(index % 36) });
    }

    private static int of(char first, char second) {
        int high = digit(first);
        int low = digit(second);
        return high < 0 || low < 0 ? UNKNOWN : high * 36 + low;
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static char symbol(int digit) {
        return (char) (digit < 10 ? '0' + digit : 'A' + digit - 10);
    }
}
