package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.Bind;
import io.exodus.proxy.wire.Execute;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.NamedObject;
import io.exodus.proxy.wire.Parse;
import io.exodus.proxy.wire.PgMessage;

import java.util.List;

/**
 * The client's unnamed statement and portal that a simple Query of Exodus' own dropped on the primary (PostgreSQL
 * drops both at every simple Query), and that the rest of a request uses: parsed and bound again in front of it,
 * their answers hidden, so that the session goes on as if Exodus had sent nothing in between.
 *
 * @param parse the statement to parse again as the unnamed one, or null
 * @param bind  the client's Bind of the unnamed portal to send again, or null
 */
record UnnamedRestore(StatementBook.Statement parse, PgMessage bind) {
    private static final UnnamedRestore NONE = new UnnamedRestore(null, null);

    boolean any() {
        return parse != null || bind != null;
    }

    /**
     * @param from           the first message of the request to send (those before it went ahead)
     * @param statementLive  whether the primary still has the unnamed statement
     * @param portalsDropped whether the unnamed portal a part sent ahead bound is gone too
     */
    static UnnamedRestore of(UnitPlan plan, int from, boolean statementLive, boolean portalsDropped) {
        List<PgMessage> messages = plan.messages();
        boolean parsedHere = false;
        boolean boundHere = false;
        StatementBook.Statement parse = null;
        PgMessage bind = null;
        for (int i = from; i < messages.size() && !(parsedHere && boundHere); i++) {
            PgMessage message = messages.get(i);
            switch (message.type()) {
                case FrontendMessageType.PARSE -> parsedHere |= Parse.statementOf(message).isEmpty();
                case FrontendMessageType.BIND -> {
                    Bind bound = Bind.of(message);
                    if (bound.statement().isEmpty() && !parsedHere && !statementLive && parse == null) {
                        parse = plan.statementAt(i);
                    }
                    boundHere |= bound.portal().isEmpty();
                }
                case FrontendMessageType.DESCRIBE, FrontendMessageType.EXECUTE -> {
                    NamedObject named = message.type() == FrontendMessageType.DESCRIBE ? NamedObject.of(message)
                            : new NamedObject(false, Execute.portalOf(message));
                    boolean ofStatement = named.statement();
                    boolean unnamed = named.name().isEmpty();
                    if (ofStatement) {
                        if (unnamed && !parsedHere && !statementLive && parse == null) {
                            parse = plan.statementAt(i);
                        }
                    } else if (unnamed && !boundHere && portalsDropped && bind == null) {
                        int earlier = lastUnnamedPortalBind(messages, from);
                        if (earlier >= 0) {
                            bind = messages.get(earlier);
                            boundHere = true;
                            if (Bind.of(bind).statement().isEmpty() && !parsedHere && parse == null) {
                                parse = plan.statementAt(earlier);
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        return parse == null && bind == null ? NONE : new UnnamedRestore(parse, bind);
    }

    private static int lastUnnamedPortalBind(List<PgMessage> messages, int before) {
        for (int i = before - 1; i >= 0; i--) {
            PgMessage message = messages.get(i);
            if (message.type() == FrontendMessageType.BIND && Bind.portalOf(message).isEmpty()) {
                return i;
            }
        }
        return -1;
    }
}
