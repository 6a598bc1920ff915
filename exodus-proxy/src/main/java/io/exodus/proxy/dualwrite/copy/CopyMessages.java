package io.exodus.proxy.dualwrite.copy;

import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.MessageReader;
import io.exodus.proxy.wire.MessageWriter;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The COPY sub-protocol's messages that Exodus writes itself, to the client or to a database. */
public final class CopyMessages {
    /** The start of the context PostgreSQL gives an error in a COPY's data: {@code COPY items, line 12, …}. */
    private static final Pattern LINE = Pattern.compile("^(COPY [^\\n]*?, line )(\\d+)");

    private CopyMessages() {
    }

    /** CopyInResponse: the client may send its data now, in text ({@code binary} false) or binary. */
    public static Buffer copyInResponse(boolean binary, int columns) {
        Buffer body = Buffer.buffer(3 + 2 * columns).appendByte((byte) (binary ? 1 : 0)).appendShort((short) columns);
        for (int i = 0; i < columns; i++) {
            body.appendShort((short) (binary ? 1 : 0));
        }
        return MessageWriter.message(BackendMessageType.COPY_IN_RESPONSE, body);
    }

    /** CopyFail: ends a COPY's data so that the server fails the COPY with this message. */
    public static Buffer copyFail(String message) {
        return MessageWriter.message(FrontendMessageType.COPY_FAIL,
                MessageWriter.appendCString(Buffer.buffer(message.length() + 1), message));
    }

    /** The message of a CopyFail. */
    public static String failMessage(PgMessage copyFail) {
        return new MessageReader(copyFail.body()).readCString();
    }

    /**
     * An ErrorResponse about a line of one of the COPYs Exodus split the client's data into, made to name the line of
     * the client's data instead: {@code linesBefore} are the client's lines before that COPY's first.
     */
    public static Buffer errorAtClientLine(PgMessage error, long linesBefore) {
        Buffer out = Buffer.buffer(error.body().length() + 8);
        MessageReader reader = new MessageReader(error.body());
        while (reader.hasRemaining()) {
            byte code = reader.readByte();
            if (code == 0) {
                break;
            }
            String value = reader.readCString();
            if (code == 'W') {
                Matcher line = LINE.matcher(value);
                if (line.find()) {
                    value = line.group(1) + (Long.parseLong(line.group(2)) + linesBefore) + value.substring(line.end());
                }
            }
            MessageWriter.appendCString(out.appendByte(code), value);
        }
        out.appendByte((byte) 0);
        return MessageWriter.message(BackendMessageType.ERROR_RESPONSE, out);
    }
}
