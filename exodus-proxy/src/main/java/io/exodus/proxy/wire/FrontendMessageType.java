package io.exodus.proxy.wire;

/** Type bytes of the messages a client sends after its startup packet. */
public final class FrontendMessageType {
    public static final byte BIND = 'B';
    public static final byte CLOSE = 'C';
    public static final byte DESCRIBE = 'D';
    public static final byte EXECUTE = 'E';
    public static final byte FUNCTION_CALL = 'F';
    public static final byte FLUSH = 'H';
    public static final byte PARSE = 'P';
    public static final byte QUERY = 'Q';
    public static final byte SYNC = 'S';
    public static final byte TERMINATE = 'X';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';
    public static final byte COPY_FAIL = 'f';
    /** PasswordMessage, SASLInitialResponse and SASLResponse share this type byte. */
    public static final byte PASSWORD = 'p';

    private static final boolean[] KNOWN = new boolean[256];

    static {
        for (byte type : new byte[] { BIND, CLOSE, DESCRIBE, EXECUTE, FUNCTION_CALL, FLUSH, PARSE, QUERY, SYNC,
                TERMINATE, COPY_DATA, COPY_DONE, COPY_FAIL }) {
            KNOWN[type & 0xff] = true;
        }
    }

    private FrontendMessageType() {
    }

    /** Whether PostgreSQL accepts this type from a client once the session is established. */
    public static boolean isKnownInSession(byte type) {
        return KNOWN[type & 0xff];
    }

    /** The type byte as a user would want to read it in an error message. */
    public static String describe(byte type) {
        int code = type & 0xff;
        return code >= 0x20 && code < 0x7f ? "'" + (char) code + "'" : String.format("0x%02x", code);
    }
}
