package io.exodus.proxy.protocol;

/** Type bytes of the messages a PostgreSQL server sends. */
public final class BackendMessageType {
    public static final byte AUTHENTICATION = 'R';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte READY_FOR_QUERY = 'Z';

    private BackendMessageType() {
    }
}
