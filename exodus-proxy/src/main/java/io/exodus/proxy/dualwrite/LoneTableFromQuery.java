package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.PlainBegin;
import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.Execute;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.Parse;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.ProtocolViolation;

import java.util.List;

/**
 * An extended-protocol request that runs one statement the way a driver runs a plain statement, which {@link
 * TableFromQuery} can carry out as its steps: a Parse of the unnamed statement that declares no types, a Bind of the
 * unnamed portal without parameters, Describes, one Execute and the Sync, with at most a {@link PlainBegin plain BEGIN}
 * executed before it (pgJDBC sends its own in front of a transaction's first statement). What Exodus then answers is
 * what the server answers such a request: the answers to the messages before the statement's Execute (ParseComplete,
 * BindComplete, NoData, the BEGIN's CommandComplete), then the statement's.
 *
 * @param begin   the text of the BEGIN executed before the statement, or null
 * @param sql     the statement's text
 * @param execute the index of its Execute among the request's messages
 */
record LoneTableFromQuery(String begin, String sql, int execute) {

    /** The request as such, or null when it is anything else. */
    static LoneTableFromQuery of(List<PgMessage> messages, List<StatementBook.Statement> statements) {
        try {
            return read(messages, statements);
        } catch (ProtocolViolation truncated) {
            return null; // the backend says what is wrong with it
        }
    }

    private static LoneTableFromQuery read(List<PgMessage> messages, List<StatementBook.Statement> statements) {
        int last = messages.size() - 1;
        if (last < 3 || messages.get(last).type() != FrontendMessageType.SYNC
                || messages.get(last - 1).type() != FrontendMessageType.EXECUTE || statements.get(last - 1) == null) {
            return null;
        }
        String sql = statements.get(last - 1).sql();
        String begin = null;
        boolean parsed = false;
        boolean bound = false;
        for (int i = 0; i < last - 1; i++) {
            PgMessage message = messages.get(i);
            StatementBook.Statement statement = statements.get(i);
            boolean own = statement != null && statement.sql().equals(sql);
            boolean beginning = !parsed && statement != null && PlainBegin.is(statement.sql());
            switch (message.type()) {
                case FrontendMessageType.PARSE -> {
                    if (!Parse.declaresNoTypes(message) || !own && !beginning
                            || own && !Parse.statementOf(message).isEmpty()) {
                        return null;
                    }
                    parsed |= own;
                }
                case FrontendMessageType.BIND -> {
                    Bind bind = Bind.of(message);
                    if (!Bind.withoutParameters(message) || !own && !beginning
                            || own && (!parsed || !bind.portal().isEmpty() || !bind.statement().isEmpty())) {
                        return null;
                    }
                    bound |= own;
                }
                case FrontendMessageType.DESCRIBE -> {
                    if (!own && !beginning) {
                        return null;
                    }
                }
                case FrontendMessageType.EXECUTE -> {
                    if (!beginning || begin != null) {
                        return null;
                    }
                    begin = statement.sql();
                }
                default -> {
                    return null;
                }
            }
        }
        if (!bound || !Execute.portalOf(messages.get(last - 1)).isEmpty()) {
            return null;
        }
        return new LoneTableFromQuery(begin, sql, last - 1);
    }
}
