package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

/**
 * An ErrorResponse (or, with {@link #notice()}, a NoticeResponse): what the proxy says when something fails,
 * in the form every PostgreSQL client already knows how to show.
 */
public record ErrorResponse(String severity, String sqlState, String message, String detail, String hint) {

    public static ErrorResponse fatal(String sqlState, String message) {
        return new ErrorResponse("FATAL", sqlState, message, null, null);
    }

    public static ErrorResponse error(String sqlState, String message) {
        return new ErrorResponse("ERROR", sqlState, message, null, null);
    }

    /** Whether the server ends the session after it: FATAL or PANIC. */
    public boolean endsSession() {
        return "FATAL".equals(severity) || "PANIC".equals(severity);
    }

    public ErrorResponse withHint(String text) {
        return new ErrorResponse(severity, sqlState, message, detail, text);
    }

    public ErrorResponse withDetail(String text) {
        return new ErrorResponse(severity, sqlState, message, text, hint);
    }

    public Buffer encode() {
        return encode(BackendMessageType.ERROR_RESPONSE);
    }

    public Buffer encodeAsNotice() {
        return encode(BackendMessageType.NOTICE_RESPONSE);
    }

    private Buffer encode(byte type) {
        Buffer body = Buffer.buffer(64 + message.length());
        field(body, 'S', severity);
        field(body, 'V', severity);
        field(body, 'C', sqlState);
        field(body, 'M', message);
        field(body, 'D', detail);
        field(body, 'H', hint);
        body.appendByte((byte) 0);
        return MessageWriter.message(type, body);
    }

    private static void field(Buffer body, char code, String value) {
        if (value != null) {
            MessageWriter.appendCString(body.appendByte((byte) code), value);
        }
    }

    /** Reads the fields a proxy cares about from a backend's ErrorResponse or NoticeResponse body. */
    public static ErrorResponse decode(Buffer body) {
        String severity = "ERROR";
        String sqlState = SqlState.INTERNAL_ERROR;
        String message = "";
        String detail = null;
        String hint = null;
        MessageReader reader = new MessageReader(body);
        while (reader.hasRemaining()) {
            byte code = reader.readByte();
            if (code == 0) {
                break;
            }
            String value = reader.readCString();
            switch (code) {
                case 'V' -> severity = value;
                case 'C' -> sqlState = value;
                case 'M' -> message = value;
                case 'D' -> detail = value;
                case 'H' -> hint = value;
                default -> {
                    // Other fields (position, where, schema …) are relayed untouched, never rebuilt here.
                }
            }
        }
        return new ErrorResponse(severity, sqlState, message, detail, hint);
    }
}
