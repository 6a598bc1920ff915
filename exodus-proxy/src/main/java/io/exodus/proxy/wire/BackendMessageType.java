package io.exodus.proxy.wire;

/** Type bytes of the messages a PostgreSQL server sends. */
public final class BackendMessageType {
    public static final byte AUTHENTICATION = 'R';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte READY_FOR_QUERY = 'Z';
    public static final byte PARSE_COMPLETE = '1';
    public static final byte BIND_COMPLETE = '2';
    public static final byte CLOSE_COMPLETE = '3';
    public static final byte PARAMETER_DESCRIPTION = 't';
    public static final byte ROW_DESCRIPTION = 'T';
    public static final byte NO_DATA = 'n';
    public static final byte DATA_ROW = 'D';
    public static final byte COMMAND_COMPLETE = 'C';
    public static final byte EMPTY_QUERY_RESPONSE = 'I';
    public static final byte PORTAL_SUSPENDED = 's';
    public static final byte NOTIFICATION_RESPONSE = 'A';
    public static final byte COPY_IN_RESPONSE = 'G';
    public static final byte COPY_OUT_RESPONSE = 'H';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';

    /**
     * Whether the message is the last answer to one extended-protocol message: ParseComplete, BindComplete,
     * CloseComplete, ParameterDescription, RowDescription, NoData, and an Execute's ends.
     */
    public static boolean isFinalAnswer(byte type) {
        return switch (type) {
            case PARSE_COMPLETE, BIND_COMPLETE, CLOSE_COMPLETE,
                    PARAMETER_DESCRIPTION, ROW_DESCRIPTION,
                    NO_DATA, COMMAND_COMPLETE,
                    EMPTY_QUERY_RESPONSE, PORTAL_SUSPENDED -> true;
            default -> false;
        };
    }

    private BackendMessageType() {
    }
}
