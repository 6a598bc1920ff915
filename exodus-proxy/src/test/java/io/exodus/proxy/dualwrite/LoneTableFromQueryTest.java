package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which extended-protocol requests run one statement the way a driver runs a plain one. */
class LoneTableFromQueryTest {
    private static final String CTAS = "create table snap as select * from orders";

    private final List<PgMessage> messages = new ArrayList<>();
    private final List<StatementBook.Statement> statements = new ArrayList<>();

    @Test
    void aStatementParsedBoundDescribedAndExecutedAloneIsOne() {
        parse("", CTAS);
        bind("", "", CTAS, false);
        add(FrontendMessages.describePortal(""), CTAS);
        add(FrontendMessages.execute("", 0), CTAS);
        add(FrontendMessages.sync(), null);
        assertEquals(new LoneTableFromQuery(null, CTAS, 3), LoneTableFromQuery.of(messages, statements));
    }

    /** pgJDBC outside autocommit sends its BEGIN in front of a transaction's first statement, in the same request. */
    @Test
    void aPlainBeginInFrontIsKept() {
        parse("", "BEGIN");
        bind("", "", "BEGIN", false);
        add(FrontendMessages.execute("", 0), "BEGIN");
        parse("", CTAS);
        bind("", "", CTAS, false);
        add(FrontendMessages.execute("", 1), CTAS);
        add(FrontendMessages.sync(), null);
        assertEquals(new LoneTableFromQuery("BEGIN", CTAS, 5), LoneTableFromQuery.of(messages, statements));
    }

    @Test
    void aNamedStatementIsNot() {
        parse("s1", CTAS);
        bind("", "s1", CTAS, false);
        add(FrontendMessages.execute("", 0), CTAS);
        add(FrontendMessages.sync(), null);
        assertNull(LoneTableFromQuery.of(messages, statements));
    }

    @Test
    void parametersAreNot() {
        parse("", CTAS);
        bind("", "", CTAS, true);
        add(FrontendMessages.execute("", 0), CTAS);
        add(FrontendMessages.sync(), null);
        assertNull(LoneTableFromQuery.of(messages, statements));
    }

    @Test
    void anotherStatementInTheRequestIsNot() {
        parse("", "insert into orders values (3)");
        bind("", "", "insert into orders values (3)", false);
        add(FrontendMessages.execute("", 0), "insert into orders values (3)");
        parse("", CTAS);
        bind("", "", CTAS, false);
        add(FrontendMessages.execute("", 0), CTAS);
        add(FrontendMessages.sync(), null);
        assertNull(LoneTableFromQuery.of(messages, statements));
    }

    private void parse(String name, String sql) {
        add(FrontendMessages.parse(name, sql, new int[0]), sql);
    }

    private void bind(String portal, String statement, String sql, boolean parameter) {
        List<byte[]> values = parameter ? List.of(new byte[] { '1' }) : List.of();
        add(FrontendMessages.bind(portal, statement, new short[0], values, new short[0]), sql);
    }

    private void add(Buffer framed, String sql) {
        messages.add(new PgMessage(framed.getByte(0), framed.getBuffer(5, framed.length())));
        statements.add(sql == null ? null : new StatementBook.Statement(sql, Classification.of(StatementKind.DDL),
                messages.get(messages.size() - 1), Optional.empty()));
    }
}
