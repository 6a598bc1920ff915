package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.MessageReader;
import io.exodus.proxy.wire.MessageWriter;
import io.exodus.proxy.wire.NamedObject;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.TransactionStatus;
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

    static Buffer success(List<PgMessage> request, String commandTag, TransactionStatus status) {
        return answers(request, commandTag).appendBuffer(SessionMessages.readyForQuery(status));
    }

    /** What a server answers to the request's messages when each succeeds, without the ReadyForQuery. */
    static Buffer answers(List<PgMessage> request, String commandTag) {
        Buffer out = Buffer.buffer(64);
        for (PgMessage message : request) {
            switch (message.type()) {
                case FrontendMessageType.QUERY, FrontendMessageType.EXECUTE -> out.appendBuffer(commandComplete(commandTag));
                case FrontendMessageType.PARSE -> out.appendBuffer(empty(BackendMessageType.PARSE_COMPLETE));
                case FrontendMessageType.BIND -> out.appendBuffer(empty(BackendMessageType.BIND_COMPLETE));
                case FrontendMessageType.CLOSE -> out.appendBuffer(empty(BackendMessageType.CLOSE_COMPLETE));
                case FrontendMessageType.DESCRIBE -> {
                    if (NamedObject.namesStatement(message.body(), 0)) {
                        out.appendBuffer(MessageWriter.message(BackendMessageType.PARAMETER_DESCRIPTION, Buffer.buffer(2).appendShort((short) 0)));
                    }
                    out.appendBuffer(empty(BackendMessageType.NO_DATA));
                }
                default -> {
                }
            }
        }
        return out;
    }

    /** An error in place of the answer: drivers treat it as the request failing at its first message. */
    static Buffer failure(ErrorResponse error, TransactionStatus status) {
        return Buffer.buffer(128).appendBuffer(error.encode()).appendBuffer(SessionMessages.readyForQuery(status));
    }

    /**
     * An error in place of the answer to a request whose Parse messages the primary did carry out: their
     * ParseComplete comes first, because a driver such as pgJDBC takes a named statement for prepared once it sent
     * the Parse, unless told otherwise, and would otherwise parse it again ("already exists") or never.
     */
    static Buffer failure(List<PgMessage> request, ErrorResponse error, TransactionStatus status) {
        Buffer out = Buffer.buffer(128);
        for (PgMessage message : request) {
            if (message.type() == FrontendMessageType.PARSE) {
                out.appendBuffer(empty(BackendMessageType.PARSE_COMPLETE));
            } else if (message.type() != FrontendMessageType.CLOSE) {
                break;
            } else {
                out.appendBuffer(empty(BackendMessageType.CLOSE_COMPLETE));
            }
        }
        return out.appendBuffer(error.encode()).appendBuffer(SessionMessages.readyForQuery(status));
    }

    /**
     * Close messages, with a Sync, for the named statements the request parsed: when Exodus answers a request that
     * the primary did carry out with an error of its own, the driver takes those statements for not prepared, so
     * the primary must not keep them either (a later Parse of the same name would fail). Null if none.
     */
    static Buffer closeNamedStatements(List<PgMessage> request) {
        Buffer out = null;
        for (PgMessage message : request) {
            if (message.type() != FrontendMessageType.PARSE) {
                continue;
            }
            String name = new MessageReader(message.body()).readCString();
            if (!name.isEmpty()) {
                out = out == null ? Buffer.buffer() : out;
                FrontendMessages.appendCloseStatement(out, name);
            }
        }
        return out == null ? null : out.appendByte(FrontendMessageType.SYNC).appendInt(4);
    }

    /** The request's leading Parse and Close messages with a Sync, for the primary to carry out alone; null if none. */
    static Buffer statementsOnly(List<PgMessage> request) {
        Buffer out = null;
        for (PgMessage message : request) {
            if (message.type() != FrontendMessageType.PARSE && message.type() != FrontendMessageType.CLOSE) {
                break;
            }
            out = out == null ? Buffer.buffer() : out;
            out.appendByte(message.type()).appendInt(message.body().length() + 4).appendBuffer(message.body());
        }
        return out == null ? null : out.appendByte(FrontendMessageType.SYNC).appendInt(4);
    }

    /** Makes the answer's closing ReadyForQuery, if it ends with one, say {@code status}. */
    static Buffer setFinalStatus(Buffer answer, TransactionStatus status) {
        int length = answer.length();
        if (length >= 6 && answer.getByte(length - 6) == BackendMessageType.READY_FOR_QUERY) {
            answer.setByte(length - 1, status.code());
        }
        return answer;
    }

    /** Whether the framed backend messages of {@code answer}, from {@code from} on, include an ErrorResponse. */
    static boolean containsError(Buffer answer, int from) {
        return lastOffsetOf(answer, from, BackendMessageType.ERROR_RESPONSE) >= 0;
    }

    /** Where the last {@code type} message among the framed messages of {@code answer} from {@code from} on starts, or -1. */
    static int lastOffsetOf(Buffer answer, int from, byte type) {
        int last = -1;
        for (int at = from; at + 5 <= answer.length(); at += 1 + answer.getInt(at + 1)) {
            if (answer.getByte(at) == type) {
                last = at;
            }
        }
        return last;
    }

    static Buffer commandComplete(String tag) {
        return MessageWriter.message(BackendMessageType.COMMAND_COMPLETE, MessageWriter.appendCString(Buffer.buffer(tag.length() + 1), tag));
    }

    private static Buffer empty(byte type) {
        return MessageWriter.message(type, Buffer.buffer(0));
    }
}
