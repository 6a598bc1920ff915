package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.util.List;

/** The small fixed-form messages of session start and end. */
public final class SessionMessages {
    private static final Buffer TERMINATE = Buffer.buffer().appendByte(FrontendMessageType.TERMINATE).appendInt(4);
    private static final Buffer SSL_REQUEST = Buffer.buffer().appendInt(8).appendInt(StartupCode.SSL_REQUEST);

    private SessionMessages() {
    }

    public static Buffer backendKeyData(int processId, int secretKey) {
        return MessageWriter.message(BackendMessageType.BACKEND_KEY_DATA,
                Buffer.buffer(8).appendInt(processId).appendInt(secretKey));
    }

    public static Buffer readyForQuery(TransactionStatus transactionStatus) {
        return MessageWriter.message(BackendMessageType.READY_FOR_QUERY,
                Buffer.buffer(1).appendByte(transactionStatus.code()));
    }

    public static Buffer terminate() {
        return TERMINATE.copy();
    }

    public static Buffer sslRequest() {
        return SSL_REQUEST.copy();
    }

    public static Buffer cancelRequest(int processId, int secretKey) {
        return Buffer.buffer(16).appendInt(16).appendInt(StartupCode.CANCEL_REQUEST).appendInt(processId)
                .appendInt(secretKey);
    }

    /**
     * Tells a client that asked for protocol 3.x (x &gt; 0) or for {@code _pq_.} options that this proxy speaks
     * 3.0 and none of those options.
     */
    public static Buffer negotiateProtocolVersion(int newestMinor, List<String> unsupportedOptions) {
        Buffer body = Buffer.buffer().appendInt((3 << 16) | newestMinor).appendInt(unsupportedOptions.size());
        unsupportedOptions.forEach(option -> MessageWriter.appendCString(body, option));
        return MessageWriter.message(BackendMessageType.NEGOTIATE_PROTOCOL_VERSION, body);
    }
}
