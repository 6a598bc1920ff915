package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.PlainBegin;
import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.Parse;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.ProtocolViolation;

/**
 * A client request that does nothing but start a transaction with a {@link PlainBegin plain BEGIN}, and so cannot
 * fail on a healthy connection: a simple Query of such a text, or the extended protocol's Parse (of that text),
 * Bind (of that statement, no parameters), Describe, one Execute and Sync — what {@code pgbench -M prepared} sends.
 * Anything else in the request (a second statement, a Close, parameters PostgreSQL would refuse) could fail, and a
 * failure found later would leave the client's next statement outside the transaction it believes it is in.
 */
final class PlainBeginRequest {
    private PlainBeginRequest() {
    }

    static boolean is(UnitPlan plan, StatementBook book) {
        if (plan.simple()) {
            return PlainBegin.is(plan.statementText());
        }
        try {
            return onlyBeginsExtended(plan, book);
        } catch (ProtocolViolation truncated) {
            return false; // the backend says what is wrong with it
        }
    }

    private static boolean onlyBeginsExtended(UnitPlan plan, StatementBook book) {
        int executes = 0;
        for (PgMessage message : plan.messages()) {
            switch (message.type()) {
                case FrontendMessageType.PARSE -> {
                    if (!PlainBegin.is(Parse.of(message).sql()) || !Parse.declaresNoTypes(message)) {
                        return false;
                    }
                }
                case FrontendMessageType.BIND -> {
                    StatementBook.Statement statement = book.statement(Bind.of(message).statement());
                    if (statement == null || !PlainBegin.is(statement.sql()) || !Bind.withoutParameters(message)) {
                        return false;
                    }
                }
                case FrontendMessageType.EXECUTE -> executes++;
                case FrontendMessageType.DESCRIBE, FrontendMessageType.SYNC -> {
                }
                default -> {
                    return false;
                }
            }
        }
        return executes == 1 && PlainBegin.is(plan.statementText());
    }
}
