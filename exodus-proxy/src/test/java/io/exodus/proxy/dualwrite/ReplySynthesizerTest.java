package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.CommandComplete;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The answers Exodus gives in the server's place, message by message as a server gives them: no server. */
class ReplySynthesizerTest {

    @Test
    void aSucceededExtendedRequestIsAnsweredMessageByMessage() {
        List<PgMessage> request = messages(FrontendMessages.parse("", "begin", new int[0]),
                FrontendMessages.bind("", "", new short[0], List.of(), new short[0]),
                FrontendMessages.describePortal(""), FrontendMessages.describeStatement(""),
                FrontendMessages.execute("", 0), FrontendMessages.sync());
        Buffer answer = ReplySynthesizer.success(request, "BEGIN", TransactionStatus.IN_TRANSACTION);
        assertEquals(List.of('1', '2', 'n', 't', 'n', 'C', 'Z'), types(answer));
        assertEquals("BEGIN", CommandComplete.tag(body(answer, 5)));
        assertEquals('T', (char) body(answer, 6).getByte(0));
    }

    /** A failure before any statement ran: the Parses before it were answered, then the error. */
    @Test
    void aFailureAnswersTheParsesBeforeIt() {
        List<PgMessage> request = messages(FrontendMessages.parse("s", "select 1", new int[0]),
                FrontendMessages.bind("", "s", new short[0], List.of(), new short[0]),
                FrontendMessages.execute("", 0), FrontendMessages.sync());
        Buffer answer = ReplySynthesizer.failure(request, ErrorResponse.error(SqlState.FEATURE_NOT_SUPPORTED, "no"),
                TransactionStatus.IDLE);
        assertEquals(List.of('1', 'E', 'Z'), types(answer));
    }

    /** A CTAS run as its steps answers as the one statement: notices, then SELECT n or the first error. */
    @Test
    void stepsOfATableFromQueryAreOneAnswer() {
        Buffer notice = framed(BackendMessageType.NOTICE_RESPONSE, Buffer.buffer().appendByte((byte) 0));
        Buffer steps = Buffer.buffer().appendBuffer(ReplySynthesizer.commandComplete("BEGIN"))
                .appendBuffer(SessionMessages.readyForQuery(TransactionStatus.IN_TRANSACTION))
                .appendBuffer(ReplySynthesizer.commandComplete("CREATE TABLE AS")).appendBuffer(notice)
                .appendBuffer(SessionMessages.readyForQuery(TransactionStatus.IN_TRANSACTION))
                .appendBuffer(ReplySynthesizer.commandComplete("INSERT 0 7"))
                .appendBuffer(SessionMessages.readyForQuery(TransactionStatus.IN_TRANSACTION))
                .appendBuffer(ReplySynthesizer.commandComplete("COMMIT"))
                .appendBuffer(SessionMessages.readyForQuery(TransactionStatus.IDLE));
        Buffer answer = TableFromQuery.oneAnswer(steps, TransactionStatus.IDLE);
        assertEquals(List.of('N', 'C', 'Z'), types(answer));
        assertEquals("SELECT 7", CommandComplete.tag(body(answer, 1)));
        Buffer failed = Buffer.buffer().appendBuffer(ErrorResponse.error("42P07", "exists").encode())
                .appendBuffer(SessionMessages.readyForQuery(TransactionStatus.FAILED));
        assertEquals(List.of('E', 'Z'), types(TableFromQuery.oneAnswer(failed, TransactionStatus.IDLE)));
    }

    private static List<PgMessage> messages(Buffer... framed) {
        List<PgMessage> messages = new ArrayList<>();
        for (Buffer message : framed) {
            messages.add(new PgMessage(message.getByte(0), message.getBuffer(5, message.length())));
        }
        return messages;
    }

    private static Buffer framed(byte type, Buffer body) {
        return Buffer.buffer().appendByte(type).appendInt(body.length() + 4).appendBuffer(body);
    }

    private static List<Character> types(Buffer answer) {
        List<Character> types = new ArrayList<>();
        for (int at = 0; at + 5 <= answer.length(); at += 1 + answer.getInt(at + 1)) {
            types.add((char) answer.getByte(at));
        }
        return types;
    }

    private static Buffer body(Buffer answer, int index) {
        int at = 0;
        for (int i = 0; i < index; i++) {
            at += 1 + answer.getInt(at + 1);
        }
        return answer.getBuffer(at + 5, at + 1 + answer.getInt(at + 1));
    }
}
