package io.exodus.proxy.session;

import io.exodus.proxy.protocol.BackendMessageType;
import io.exodus.proxy.protocol.ErrorResponse;
import io.exodus.proxy.protocol.FrontendMessageType;
import io.exodus.proxy.protocol.MessageWriter;
import io.exodus.proxy.protocol.PgMessage;
import io.exodus.proxy.protocol.SessionMessages;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * Answers a client request that Exodus carried out itself, on both legs, instead of passing it on (a COMMIT under
 * two-phase commit becomes PREPARE TRANSACTION and COMMIT PREPARED): the answer has the shape the client expects
 * for what it sent, so that a driver's bookkeeping of Parse/Bind/Execute stays right.
 */
final class ReplySynthesizer {
    private ReplySynthesizer() {
    }

    static Buffer success(List<PgMessage> request, String commandTag, byte status) {
        Buffer out = Buffer.buffer(64);
        for (PgMessage message : request) {
            switch (message.type()) {
                case FrontendMessageType.QUERY, FrontendMessageType.EXECUTE -> out.appendBuffer(commandComplete(commandTag));
                case FrontendMessageType.PARSE -> out.appendBuffer(empty((byte) '1'));
                case FrontendMessageType.BIND -> out.appendBuffer(empty((byte) '2'));
                case FrontendMessageType.CLOSE -> out.appendBuffer(empty((byte) '3'));
                case FrontendMessageType.DESCRIBE -> {
                    if (message.body().length() > 0 && message.body().getByte(0) == 'S') {
                        out.appendBuffer(MessageWriter.message((byte) 't', Buffer.buffer(2).appendShort((short) 0)));
                    }
                    out.appendBuffer(empty((byte) 'n'));
                }
                default -> {
                }
            }
        }
        return out.appendBuffer(SessionMessages.readyForQuery(status));
    }

    /** An error in place of the answer: drivers treat it as the request failing at its first message. */
    static Buffer failure(ErrorResponse error, byte status) {
        return Buffer.buffer(128).appendBuffer(error.encode()).appendBuffer(SessionMessages.readyForQuery(status));
    }

    static Buffer commandComplete(String tag) {
        return MessageWriter.message((byte) 'C', MessageWriter.appendCString(Buffer.buffer(tag.length() + 1), tag));
    }

    private static Buffer empty(byte type) {
        return MessageWriter.message(type, Buffer.buffer(0));
    }

    static boolean isReadyForQuery(PgMessage message) {
        return message.type() == BackendMessageType.READY_FOR_QUERY;
    }
}
