package io.exodus.proxy.session;

import io.exodus.proxy.protocol.FrontendMessageType;
import io.exodus.proxy.protocol.PgMessage;

import java.util.List;

/**
 * Counting the answers to the part of an extended-protocol batch that a Flush sends ahead of its Sync, which no
 * ReadyForQuery ends: each message has a fixed number of final answers until an error makes the server skip to the
 * Sync.
 */
final class AheadOfSync {
    private AheadOfSync() {
    }

    /** Final answers the server owes for messages[from, to). */
    static int answers(List<PgMessage> messages, int from, int to) {
        int answers = 0;
        for (int i = from; i < to; i++) {
            PgMessage message = messages.get(i);
            answers += switch (message.type()) {
                case FrontendMessageType.PARSE, FrontendMessageType.BIND, FrontendMessageType.CLOSE,
                        FrontendMessageType.EXECUTE -> 1;
                // Of a statement: its ParameterDescription, then RowDescription or NoData; of a portal: the latter.
                case FrontendMessageType.DESCRIBE -> message.body().getByte(0) == 'S' ? 2 : 1;
                default -> 0;
            };
        }
        return answers;
    }

    /** ParseComplete, BindComplete, CloseComplete, ParameterDescription, RowDescription, NoData, and Execute's ends. */
    static boolean isFinalAnswer(byte type) {
        return switch (type) {
            case '1', '2', '3', 't', 'T', 'n', 'C', 'I', 's' -> true;
            default -> false;
        };
    }
}
